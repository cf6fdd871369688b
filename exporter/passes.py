"""Graph passes: each one ``Graph -> Graph``, pure (the input graph is left as it was).

- ``fold_batchnorm``: a ``BatchNorm`` right after a ``Conv2D`` (plain, grouped or depthwise) or a
  ``MatMul`` with a constant weight, no fused activation and no other reader, is folded into that
  op's weight and bias.
- ``fuse_bias_activation``: ``MatMul``/``Conv2D``/``Conv2DTranspose`` followed by ``Add`` of a
  constant ``[N]`` vector and/or by Relu, Relu6, LeakyRelu, Sigmoid, Tanh or exact Gelu becomes one op
  with a bias input and an ``activation`` attribute. (``fold_batchnorm`` leaves Conv2DTranspose alone:
  its output channels are its weight's axis 2.)
- ``fold_constants``: a node whose inputs are all constants is run once on the numpy reference and
  becomes a constant (never ``Dequantize``, which is how quantized weights stay small).
- ``remove_identities``: Reshape/Flatten to the same shape, Transpose by the identity, Cast to the
  same dtype, Concat of one input, a Slice of the whole tensor, adding 0 or multiplying by 1.
- ``remove_dead``: nodes and constants that no graph output depends on.

``optimize`` runs them all until nothing changes. A trainable export runs ``TRAINABLE_PASSES``
instead: only passes that leave every weight as it is (named, shaped and valued as the model's
variable, so the optimizer state and ``load_model`` find it): no batch-norm folding, no constant
folding, no arithmetic identity against a weight (a zero bias is still a bias to train), and bias
fusion only where the added vector already is the bias.

>>> import numpy as np
>>> from webgrad.exporter.graph import Graph, Node, TensorSpec
>>> g = Graph([TensorSpec("x", "float32", (None, 4))], [TensorSpec("y", "float32", (None, 3))],
...           [Node("mm", "MatMul", ["x", "w"], ["h"]), Node("add", "Add", ["h", "b"], ["z"]),
...            Node("act", "Relu", ["z"], ["y"])],
...           {"w": np.ones((4, 3), np.float32), "b": np.ones(3, np.float32)})
>>> [(n.op, n.inputs, n.attrs["activation"]) for n in optimize(g).nodes]
[('MatMul', ['x', 'w', 'b'], 'relu')]
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from webgrad import raw_ops as ops
from webgrad.exporter.graph import Graph, Node
from webgrad.exporter.opset import normalize_attrs, op_spec
from webgrad.raw_ops import REGISTRY

__all__ = [
    "PASSES", "TRAINABLE_PASSES", "fold_batchnorm", "fold_constants", "fuse_bias_activation", "infer_shapes",
    "optimize", "remove_dead", "remove_identities",
]

Shape = tuple
#: unary op -> the fused ``activation`` value that replaces it
FUSABLE_ACTIVATIONS = {"Relu": "relu", "Relu6": "relu6", "LeakyRelu": "leaky_relu", "Sigmoid": "sigmoid",
                       "Tanh": "tanh", "Gelu": "gelu"}
#: ops with a bias input and a fused ``activation`` attribute (their bias is over the output's last axis)
FUSABLE_OPS = ("MatMul", "Conv2D", "Conv2DTranspose")
_BIG = 2**31 - 1


# ---- helpers -----------------------------------------------------------------------------------
def _clone(g: Graph) -> Graph:
    """A copy whose nodes, lists and (defaulted) attributes may be edited; the constant arrays are
    shared (passes replace arrays, never write into them)."""
    nodes = [Node(n.name, n.op, list(n.inputs), list(n.outputs), normalize_attrs(n.op, n.attrs)) for n in g.nodes]
    return Graph(list(g.inputs), list(g.outputs), nodes, dict(g.constants))


def infer_shapes(g: Graph) -> dict[str, tuple[Shape, str]]:
    """Tensor name -> (shape, dtype) for every input, constant and node output, by the op shape rules
    (``None`` for the dynamic batch)."""
    known: dict[str, tuple[Shape, str]] = {s.name: (tuple(s.shape), s.dtype) for s in g.inputs}
    known.update({k: (v.shape, str(v.dtype)) for k, v in g.constants.items()})
    for n in g.nodes:
        args = [known[i] if i else None for i in n.inputs]
        spec = op_spec(n.op)["inputs"]
        if not spec[-1].get("variadic"):
            args += [None] * (len(spec) - len(args))
        shape, dtype = REGISTRY[n.op].shape([a and a[0] for a in args], [a and a[1] for a in args],
                                            n.attrs)
        known[n.outputs[0]] = (tuple(shape), dtype)
    return known


class _Index:
    """What the passes look up, built once per pass and kept up to date as nodes merge or go away, so a
    pass is linear in the graph size: who makes and who reads each tensor, every name in use (so
    ``fresh`` names exactly as a scan of the whole graph would) and the nodes dropped so far (``finish``
    rebuilds ``g.nodes`` without them once, in order)."""

    def __init__(self, g: Graph) -> None:
        self.g = g
        self.outputs = {o.name for o in g.outputs}
        self.producer: dict[str, Node] = {}
        #: tensor -> id(node) -> (node, how many of its inputs read the tensor)
        self.readers: dict[str, dict[int, list[Any]]] = {}
        #: name -> how many places use it (a node's name and outputs, a constant, a graph input)
        self.names: Counter[str] = Counter(s.name for s in g.inputs)
        self.names.update(list(g.constants))  # the names: a mapping would add its values
        self.dropped: set[int] = set()
        for n in g.nodes:
            for out in n.outputs:
                self.producer.setdefault(out, n)
            self._read(n, n.inputs, 1)
            self.names.update((n.name, *n.outputs))

    def _read(self, node: Node, tensors: list[str], step: int) -> None:
        for t in tensors:
            by_node = self.readers.setdefault(t, {})
            entry = by_node.setdefault(id(node), [node, 0])
            entry[1] += step
            if entry[1] == 0:
                del by_node[id(node)]

    def sole_reader(self, tensor: str) -> Node | None:
        """The one node reading ``tensor`` (once), when nothing else (no graph output) needs it."""
        if tensor in self.outputs:
            return None
        by_node = self.readers.get(tensor, {})
        if len(by_node) != 1:
            return None
        node, count = next(iter(by_node.values()))
        return node if count == 1 else None

    def fresh(self, base: str) -> str:
        """``base``, or ``base_1``, ``base_2``… : the first that no tensor or node is named."""
        name, k = base, 0
        while self.names[name] > 0:
            k += 1
            name = f"{base}_{k}"
        return name

    def set_inputs(self, node: Node, inputs: list[str]) -> None:
        self._read(node, node.inputs, -1)
        node.inputs = inputs
        self._read(node, inputs, 1)

    def drop(self, node: Node) -> None:
        """Forgets ``node`` (its inputs are read no more; its name and outputs are free again)."""
        self.dropped.add(id(node))
        self._read(node, node.inputs, -1)
        self.names.subtract((node.name, *node.outputs))
        for out in node.outputs:
            if self.producer.get(out) is node:
                del self.producer[out]

    def set_outputs(self, node: Node, outputs: list[str]) -> None:
        for out in node.outputs:
            if self.producer.get(out) is node:
                del self.producer[out]
        self.names.subtract(node.outputs)
        node.outputs = list(outputs)
        self.names.update(node.outputs)
        for out in node.outputs:
            self.producer[out] = node

    def finish(self) -> Graph:
        """The graph, its node list rebuilt once without the dropped nodes."""
        if self.dropped:
            self.g.nodes = [n for n in self.g.nodes if id(n) not in self.dropped]
        return self.g


def _merge_into(ix: _Index, producer: Node, consumer: Node) -> None:
    """``producer`` now computes what ``consumer`` did (its output takes the consumer's name)."""
    outputs = list(consumer.outputs)
    ix.drop(consumer)
    ix.set_outputs(producer, outputs)


def _set_constant(ix: _Index, node: Node, slot: int, value: np.ndarray, base: str) -> None:
    """Gives ``node`` the constant ``value`` at input ``slot``: written under the old name when only
    this node read it, else under a fresh name made from ``base``."""
    g = ix.g
    if len(node.inputs) <= slot:
        ix.set_inputs(node, node.inputs + [""] * (slot + 1 - len(node.inputs)))
    old = node.inputs[slot]
    readers = sum(e[1] for e in ix.readers.get(old, {}).values()) if old else 0
    if old in g.constants and readers == 1 and old not in ix.outputs:
        g.constants[old] = value
        return
    name = ix.fresh(base)
    g.constants[name] = value
    ix.names[name] += 1
    ix.set_inputs(node, [*node.inputs[:slot], name, *node.inputs[slot + 1:]])


class _Renames:
    """The tensor renames of ``remove_identities``: a node's input is looked up when the node is
    reached and once more at the end, instead of rewriting every node at every bypass."""

    def __init__(self) -> None:
        self.alias: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        path = []
        while name in self.alias:
            path.append(name)
            name = self.alias[name]
        for p in path:  # shortens the chain for the next lookup
            self.alias[p] = name
        return name


def _bypass(ix: _Index, renames: _Renames, node: Node, source: str) -> bool:
    """Drops ``node`` whose output equals its input tensor ``source``; False (and nothing changes)
    when the output is a graph output and ``source`` is a graph input, a constant or an output too."""
    out = node.outputs[0]
    old, new = out, source
    if out in ix.outputs:
        producer = ix.producer.get(source)
        if producer is None or source in ix.outputs:
            return False
        ix.drop(node)
        ix.set_outputs(producer, [out if o == source else o for o in producer.outputs])
        old, new = source, out  # the producer now makes the output directly
    else:
        ix.drop(node)
    renames.alias[old] = new
    return True


def _channel_axis(node: Node) -> int:
    """Axis of the weight that holds the output channels."""
    return -2 if node.op == "MatMul" and node.attrs["transpose_b"] else -1


def _weighted(g: Graph, node: Node) -> bool:
    """A MatMul/Conv2D whose weight is a constant and whose input is not."""
    return (node.op in ("MatMul", "Conv2D") and len(node.inputs) >= 2 and node.inputs[1] in g.constants
            and node.inputs[0] not in g.constants and g.constants[node.inputs[1]].ndim >= 2)


def _bias_name(g: Graph, node: Node) -> str:
    w = node.inputs[1]
    return (w.rsplit("/", 1)[0] if "/" in w else node.name) + "/bias"


# ---- the passes -------------------------------------------------------------------------------
def fold_batchnorm(g: Graph) -> Graph:
    """Folds ``BatchNorm`` into the preceding ``Conv2D``/``MatMul`` weight and bias (see the module
    doc): ``w' = w * s``, ``b' = (b - mean) * s + beta`` with ``s = scale / sqrt(var + epsilon)``."""
    g = _clone(g)
    ix = _Index(g)
    for bn in [n for n in g.nodes if n.op == "BatchNorm"]:
        producer = ix.producer.get(bn.inputs[0])
        params = bn.inputs[1:5]
        if (producer is None or not _weighted(g, producer) or producer.attrs["activation"] != "none"
                or ix.sole_reader(bn.inputs[0]) is not bn or not all(p in g.constants for p in params)):
            continue
        gamma, beta, mean, var = (g.constants[p].astype(np.float64) for p in params)
        w = g.constants[producer.inputs[1]]
        axis = _channel_axis(producer)
        if w.shape[axis] != gamma.shape[0]:
            continue
        s = gamma / np.sqrt(var + np.float64(np.float32(bn.attrs["epsilon"])))
        bias_in = producer.inputs[2] if len(producer.inputs) > 2 else ""
        b = g.constants[bias_in].astype(np.float64) if bias_in in g.constants else 0.0
        if bias_in and bias_in not in g.constants:
            continue
        new_w = (w.astype(np.float64) * (s if axis == -1 else s[:, None])).astype(np.float32)
        new_b = ((b - mean) * s + beta).astype(np.float32)
        _set_constant(ix, producer, 1, new_w, producer.inputs[1] + "_folded")
        _set_constant(ix, producer, 2, new_b, _bias_name(g, producer))
        _merge_into(ix, producer, bn)
    return ix.finish()


def _as_bias(value: np.ndarray, out_shape: Shape) -> np.ndarray | None:
    """``value`` as an ``[N]`` bias when adding it to a tensor of ``out_shape`` is adding a bias."""
    n = out_shape[-1]
    if n is None or value.ndim > len(out_shape) or value.dtype != np.float32:
        return None
    if value.ndim == 0:
        return np.full(n, value, np.float32)
    if value.shape[-1] != n or any(d != 1 for d in value.shape[:-1]):
        return None
    return value.reshape(n)


def fuse_bias_activation(g: Graph, keep_weights: bool = False) -> Graph:
    """Fuses a following constant-vector ``Add`` into the bias and a following activation op into the
    ``activation`` attribute of ``MatMul``/``Conv2D`` (see the module doc). ``keep_weights``: fuse an
    ``Add`` only when its vector becomes the bias unchanged (no sum, no reshape)."""
    g = _clone(g)
    ix = _Index(g)
    shapes = infer_shapes(g)
    # Rounds over the unfused MatMul/Conv2D nodes, in graph order, until a round changes nothing. A
    # node that a round left as it was is left so by every later round (what it reads and who reads
    # it stay the same), so each round visits only the nodes the round before changed: the same
    # merges, in the same order (hence the same names), without rescanning the graph.
    todo = [n for n in g.nodes if n.op in FUSABLE_OPS and n.attrs["activation"] == "none"]
    while todo:
        changed: list[Node] = []
        for p in todo:
            c = ix.sole_reader(p.outputs[0])
            if c is None:
                continue
            if c.op == "Add":
                other = c.inputs[1] if c.inputs[0] == p.outputs[0] else c.inputs[0]
                v = g.constants.get(other)
                bias = None if v is None else _as_bias(v, shapes[p.outputs[0]][0])
                has = len(p.inputs) > 2 and p.inputs[2]
                if bias is None or (has and p.inputs[2] not in g.constants):
                    continue
                as_is = not has and v is not None and v.shape == bias.shape and ix.sole_reader(other) is c
                if keep_weights and not as_is:
                    continue
                if has:
                    _set_constant(ix, p, 2, (g.constants[p.inputs[2]] + bias).astype(np.float32), _bias_name(g, p))
                elif as_is:
                    ix.set_inputs(p, [*p.inputs[:2], other])  # the vector is the bias as it is
                else:
                    _set_constant(ix, p, 2, bias, _bias_name(g, p))
            elif c.op in FUSABLE_ACTIVATIONS and not c.attrs.get("approximate", False):
                p.attrs["activation"] = FUSABLE_ACTIVATIONS[c.op]
                if c.op == "LeakyRelu":
                    p.attrs["alpha"] = c.attrs["alpha"]
            else:
                continue
            _merge_into(ix, p, c)
            changed.append(p)
        todo = [p for p in changed if p.attrs["activation"] == "none"]
    return ix.finish()


def fold_constants(g: Graph) -> Graph:
    """Runs every node whose inputs are all constants once, on the numpy reference, and stores its
    result as a constant named like the tensor it made (graph outputs and ``Dequantize`` stay)."""
    g = _clone(g)
    outputs = {o.name for o in g.outputs}
    folded: set[int] = set()
    for n in g.nodes:
        ins = [i for i in n.inputs if i]
        if not ins or n.op == "Dequantize" or n.outputs[0] in outputs or not all(i in g.constants for i in ins):
            continue
        args = [g.constants[i] if i else None for i in n.inputs]
        with ops.no_grad():
            value = np.asarray(ops.apply(n.op, *args, **n.attrs).data)
        if str(value.dtype) not in ("float32", "int32") or value.size > sum(g.constants[i].size for i in ins):
            continue  # bundles store float32/int32; never grow the weights by broadcasting
        g.constants[n.outputs[0]] = value
        folded.add(id(n))
    g.nodes = [n for n in g.nodes if id(n) not in folded]
    return g


def _same_shape(a: Shape, b: Shape, copied: set[int] | None = None) -> bool:
    """Whether shapes ``a`` and ``b`` are surely equal: equal known dims, and at most one unknown
    position (the element count settles it) unless ``copied`` says the dim is passed through."""
    if len(a) != len(b):
        return False
    unsure = [i for i, (x, y) in enumerate(zip(a, b, strict=True))
              if not (i in (copied or set()) or (x is not None and x == y))]
    return not unsure or (len(unsure) == 1 and (a[unsure[0]] is None or b[unsure[0]] is None)
                          and (a[unsure[0]] is None) == (b[unsure[0]] is None))


def _broadcast_keeps(x: Shape, c: Shape) -> bool:
    """Whether broadcasting a tensor of shape ``x`` with a constant of shape ``c`` leaves ``x``'s shape."""
    if len(c) > len(x):
        return False
    return all(d == 1 or (e is not None and d == e) for d, e in zip(reversed(c), reversed(x), strict=False))


def _neutral(g: Graph, n: Node, shapes: dict[str, tuple[Shape, str]], keep_weights: bool = False) -> str | None:
    """The input tensor that ``n`` passes through unchanged, or None (``keep_weights``: never because a
    constant holds 0 or 1 now: it may be a weight that training changes)."""
    if n.op in ("Add", "Sub", "Mul", "Div"):
        return None if keep_weights else _neutral_arithmetic(g, n, shapes)
    x = n.inputs[0] if n.inputs else ""
    if x in g.constants or not x:
        return None
    xs, dtype = shapes[x]
    a = n.attrs
    if n.op == "Reshape":
        copied = {i for i, s in enumerate(a["shape"]) if s == 0}
        return x if _same_shape(xs, shapes[n.outputs[0]][0], copied) else None
    if n.op == "Flatten":
        return x if len(xs) == 2 and a["axis"] in (1, -1) else None
    if n.op == "Transpose":
        return x if list(a["perm"]) == list(range(len(xs))) else None
    if n.op == "Cast":
        return x if a["to"] == dtype else None
    if n.op == "Concat":
        return x if len(n.inputs) == 1 else None
    if n.op == "Slice":
        return x if _whole_slice(xs, a) else None
    return None


def _whole_slice(xs: Shape, a: dict[str, Any]) -> bool:
    axes = a["axes"] or list(range(len(a["starts"])))
    steps = a["steps"] or [1] * len(a["starts"])
    for axis, start, end, step in zip(axes, a["starts"], a["ends"], steps, strict=True):
        d = xs[axis]
        if d is None:
            if not (start == 0 and step == 1 and end >= _BIG):
                return False
        elif range(*slice(start, end, step).indices(d)) != range(d):
            return False
    return True


def _neutral_arithmetic(g: Graph, n: Node, shapes: dict[str, tuple[Shape, str]]) -> str | None:
    unit = 0.0 if n.op in ("Add", "Sub") else 1.0
    positions = (0, 1) if n.op in ("Add", "Mul") else (0,)  # 0 - x and 1 / x are no identities
    for k in positions:
        x, c = n.inputs[k], n.inputs[1 - k]
        if (x not in g.constants and c in g.constants and np.all(g.constants[c] == unit)
                and _broadcast_keeps(shapes[x][0], g.constants[c].shape)):
            return x
    return None


def remove_identities(g: Graph, keep_weights: bool = False) -> Graph:
    """Drops nodes whose output is their input (see the module doc); ``keep_weights`` as ``_neutral``."""
    g = _clone(g)
    shapes = infer_shapes(g)
    ix, renames = _Index(g), _Renames()
    for n in g.nodes:
        if any(renames(i) != i for i in n.inputs):
            ix.set_inputs(n, [renames(i) for i in n.inputs])
        source = _neutral(g, n, shapes, keep_weights)
        if source is not None:
            _bypass(ix, renames, n, source)
    g = ix.finish()
    for n in g.nodes:  # nodes reached before a later bypass renamed what they read
        n.inputs = [renames(i) for i in n.inputs]
    return g


def remove_dead(g: Graph) -> Graph:
    """Drops the nodes and constants that no graph output depends on."""
    g = _clone(g)
    needed = {o.name for o in g.outputs}
    kept: list[Node] = []
    for n in reversed(g.nodes):
        if any(o in needed for o in n.outputs):
            kept.append(n)
            needed.update(i for i in n.inputs if i)
    g.nodes = kept[::-1]
    g.constants = {k: v for k, v in g.constants.items() if k in needed}
    return g


#: the passes ``optimize`` runs, in order
PASSES: tuple[Callable[[Graph], Graph], ...] = (
    remove_identities, fold_constants, fold_batchnorm, fuse_bias_activation, remove_dead,
)


#: the passes a trainable export runs: the weights stay the model's variables (see the module doc)
TRAINABLE_PASSES: tuple[Callable[[Graph], Graph], ...] = (
    partial(remove_identities, keep_weights=True), partial(fuse_bias_activation, keep_weights=True), remove_dead,
)


def _signature(g: Graph) -> str:
    return json.dumps([[n.to_json() for n in g.nodes], sorted((k, id(v)) for k, v in g.constants.items()),
                       [o.name for o in g.outputs]])


def optimize(g: Graph, passes: tuple[Callable[[Graph], Graph], ...] = PASSES, max_rounds: int = 20) -> Graph:
    """Runs ``passes`` in order, again and again, until the graph stops changing."""
    for _ in range(max_rounds):
        before = _signature(g)
        for p in passes:
            g = p(g)
        if _signature(g) == before:
            break
    g.validate()
    return g
