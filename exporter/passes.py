"""Graph passes: each one ``Graph -> Graph``, pure (the input graph is left as it was).

- ``fold_batchnorm``: a ``BatchNorm`` right after a ``Conv2D`` (plain, grouped or depthwise) or a
  ``MatMul`` with a constant weight, no fused activation and no other reader, is folded into that
  op's weight and bias.
- ``fuse_bias_activation``: ``MatMul``/``Conv2D`` followed by ``Add`` of a constant ``[N]`` vector
  and/or by Relu, Relu6, LeakyRelu, Sigmoid, Tanh or exact Gelu becomes one op with a bias input and
  an ``activation`` attribute.
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
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from webgrad import ops
from webgrad.exporter.graph import Graph, Node
from webgrad.exporter.opset import normalize_attrs, op_spec
from webgrad.ops import REGISTRY

__all__ = [
    "PASSES", "TRAINABLE_PASSES", "fold_batchnorm", "fold_constants", "fuse_bias_activation", "infer_shapes",
    "optimize", "remove_dead", "remove_identities",
]

Shape = tuple
#: unary op -> the fused ``activation`` value that replaces it
FUSABLE_ACTIVATIONS = {"Relu": "relu", "Relu6": "relu6", "LeakyRelu": "leaky_relu", "Sigmoid": "sigmoid",
                       "Tanh": "tanh", "Gelu": "gelu"}
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


def _names(g: Graph) -> set[str]:
    return {s.name for s in g.inputs} | set(g.constants) | {t for n in g.nodes for t in (n.name, *n.outputs)}


def _fresh(g: Graph, base: str) -> str:
    used, name, k = _names(g), base, 0
    while name in used:
        k += 1
        name = f"{base}_{k}"
    return name


def _sole_reader(g: Graph, tensor: str) -> Node | None:
    """The one node reading ``tensor`` (once), when nothing else (no graph output) needs it."""
    if any(o.name == tensor for o in g.outputs):
        return None
    readers = [n for n in g.nodes for i in n.inputs if i == tensor]
    return readers[0] if len(readers) == 1 else None


def _merge_into(g: Graph, producer: Node, consumer: Node) -> None:
    """``producer`` now computes what ``consumer`` did (its output takes the consumer's name)."""
    producer.outputs = list(consumer.outputs)
    g.nodes.remove(consumer)


def _set_constant(g: Graph, node: Node, slot: int, value: np.ndarray, base: str) -> None:
    """Gives ``node`` the constant ``value`` at input ``slot``: written under the old name when only
    this node read it, else under a fresh name made from ``base``."""
    while len(node.inputs) <= slot:
        node.inputs.append("")
    old = node.inputs[slot]
    readers = sum(i == old for n in g.nodes for i in n.inputs) if old else 0
    if old in g.constants and readers == 1 and all(o.name != old for o in g.outputs):
        g.constants[old] = value
        return
    name = _fresh(g, base)
    g.constants[name] = value
    node.inputs[slot] = name


def _bypass(g: Graph, node: Node, source: str) -> bool:
    """Drops ``node`` whose output equals its input tensor ``source``; False (and nothing changes)
    when the output is a graph output and ``source`` is a graph input, a constant or an output too."""
    out = node.outputs[0]
    old, new = out, source
    if any(o.name == out for o in g.outputs):
        producer = next((n for n in g.nodes if source in n.outputs), None)
        if producer is None or any(o.name == source for o in g.outputs):
            return False
        producer.outputs = [out if o == source else o for o in producer.outputs]
        old, new = source, out  # the producer now makes the output directly
    g.nodes.remove(node)
    for n in g.nodes:
        n.inputs = [new if i == old else i for i in n.inputs]
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
    for bn in [n for n in g.nodes if n.op == "BatchNorm"]:
        producer = next((n for n in g.nodes if bn.inputs[0] in n.outputs), None)
        params = bn.inputs[1:5]
        if (producer is None or not _weighted(g, producer) or producer.attrs["activation"] != "none"
                or _sole_reader(g, bn.inputs[0]) is not bn or not all(p in g.constants for p in params)):
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
        _set_constant(g, producer, 1, new_w, producer.inputs[1] + "_folded")
        _set_constant(g, producer, 2, new_b, _bias_name(g, producer))
        _merge_into(g, producer, bn)
    return g


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
    shapes = infer_shapes(g)
    changed = True
    while changed:
        changed = False
        for p in [n for n in g.nodes if n.op in ("MatMul", "Conv2D") and n.attrs["activation"] == "none"]:
            c = _sole_reader(g, p.outputs[0])
            if c is None:
                continue
            if c.op == "Add":
                other = c.inputs[1] if c.inputs[0] == p.outputs[0] else c.inputs[0]
                v = g.constants.get(other)
                bias = None if v is None else _as_bias(v, shapes[p.outputs[0]][0])
                has = len(p.inputs) > 2 and p.inputs[2]
                if bias is None or (has and p.inputs[2] not in g.constants):
                    continue
                as_is = not has and v is not None and v.shape == bias.shape and _sole_reader(g, other) is c
                if keep_weights and not as_is:
                    continue
                if has:
                    _set_constant(g, p, 2, (g.constants[p.inputs[2]] + bias).astype(np.float32), _bias_name(g, p))
                elif as_is:
                    p.inputs[2:] = [other]  # the vector is the bias as it is
                else:
                    _set_constant(g, p, 2, bias, _bias_name(g, p))
            elif c.op in FUSABLE_ACTIVATIONS and not c.attrs.get("approximate", False):
                p.attrs["activation"] = FUSABLE_ACTIVATIONS[c.op]
                if c.op == "LeakyRelu":
                    p.attrs["alpha"] = c.attrs["alpha"]
            else:
                continue
            _merge_into(g, p, c)
            changed = True
    return g


def fold_constants(g: Graph) -> Graph:
    """Runs every node whose inputs are all constants once, on the numpy reference, and stores its
    result as a constant named like the tensor it made (graph outputs and ``Dequantize`` stay)."""
    g = _clone(g)
    outputs = {o.name for o in g.outputs}
    for n in list(g.nodes):
        ins = [i for i in n.inputs if i]
        if not ins or n.op == "Dequantize" or n.outputs[0] in outputs or not all(i in g.constants for i in ins):
            continue
        args = [g.constants[i] if i else None for i in n.inputs]
        with ops.no_grad():
            value = np.asarray(ops.apply(n.op, *args, **n.attrs).data)
        if str(value.dtype) not in ("float32", "int32") or value.size > sum(g.constants[i].size for i in ins):
            continue  # bundles store float32/int32; never grow the weights by broadcasting
        g.constants[n.outputs[0]] = value
        g.nodes.remove(n)
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
    for n in list(g.nodes):
        source = _neutral(g, n, shapes, keep_weights)
        if source is not None:
            _bypass(g, n, source)
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
