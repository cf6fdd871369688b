"""Graph capture: the inference graph of a built model, traced from its own ``call``.

``capture(model)`` feeds fresh symbolic inputs (batch dim ``None``) through ``model.call(...,
training=False)`` with an op tracer on (``webgrad.raw_ops.tracing``). Every op-set op that a layer applies
becomes a node; weights (``Variable``) become constants named after the weight (``dense/kernel``),
other arrays become constants with generated names. Layers that are identities at inference (Dropout)
leave no node; BatchNormalization appears as the inference ``BatchNorm`` op.

Each layer's ``call`` runs under a check: if it raises on symbolic inputs, or returns something that
no op-set op made (a numpy array, a hand-made ``SymbolicTensor``), capture fails with
``CaptureError`` naming the layer and its class, because that layer has no op mapping.

>>> import webgrad as wg
>>> model = wg.Sequential([wg.Input((4,), name="x"), wg.layers.Dense(3, activation="softmax", name="probs")])
>>> g = capture(model)
>>> [(n.name, n.op) for n in g.nodes], sorted(g.constants), g.outputs[0]
([('probs/MatMul', 'MatMul'), ('probs/Softmax', 'Softmax')], ['probs/bias', 'probs/kernel'], \
TensorSpec(name='probs', dtype='float32', shape=(None, 3)))
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from webgrad import raw_ops as ops
from webgrad.exporter.bundle_shapes import infer_graph
from webgrad.exporter.graph import Graph, Node, TensorSpec, UniqueNames
from webgrad.layers import InputLayer
from webgrad.layers.text_vectorization import string_input_vectorizer
from webgrad.raw_ops import REGISTRY
from webgrad.tensor import Node as TapeNode
from webgrad.tensor import SymbolicTensor, Tensor, Variable

__all__ = ["CaptureError", "LossGraph", "capture", "capture_loss", "capture_with_weights"]


class CaptureError(ValueError):
    """A model that cannot be captured: a layer whose ``call`` is not made of op-set ops.

    ``layer`` is the name of the layer at fault, when one is known.
    """

    def __init__(self, message: str, layer: str | None = None):
        super().__init__(message)
        self.layer = layer


def _as_constant(value: Any) -> np.ndarray:
    """A bundle constant: float32 for Python numbers and float arrays, int32 for integer arrays."""
    a = np.asarray(value.data if isinstance(value, Tensor) else value)
    if not isinstance(value, np.ndarray | Tensor) or a.dtype.kind in "fb":
        return np.array(a, dtype=np.float32)
    if a.dtype.kind in "iu":
        return a.astype(np.int32)
    raise CaptureError(f"cannot store a constant of dtype {a.dtype} (float or integer arrays only)")


class Tracer:
    """Receives ``record(op, args, attrs, out, scope)`` from ``ops.tracing`` and builds the graph."""

    # ops on weights alone are recorded as nodes (not folded into unnamed constants here), so a trainable
    # export still sees which weights they read; the export passes fold them for inference bundles
    traces_weights = True

    def __init__(self) -> None:
        self.names = UniqueNames()
        self.nodes: list[Node] = []
        self.constants: dict[str, np.ndarray] = {}
        self._tensors: dict[int, str] = {}  # id(SymbolicTensor) -> tensor name
        self._keep: list[Any] = []  # keeps traced objects alive so their ids stay unique
        self._weights: dict[int, str] = {}  # id(Variable) -> constant name
        self._arrays: dict[tuple, str] = {}  # content key -> constant name (same array, one constant)

    def add_input(self, t: SymbolicTensor, name: str) -> str:
        return self._bind(t, self.names.take(name))

    def _bind(self, t: SymbolicTensor, name: str) -> str:
        self._tensors[id(t)] = name
        self._keep.append(t)
        return name

    def knows(self, t: Any) -> bool:
        """Whether ``t`` is a tensor of the traced graph."""
        return isinstance(t, SymbolicTensor) and id(t) in self._tensors

    def name_of(self, t: SymbolicTensor) -> str:
        return self._tensors[id(t)]

    def _constant(self, value: Any, scope: list[str]) -> str:
        if isinstance(value, Variable):
            if id(value) not in self._weights:
                self._weights[id(value)] = self.names.take(value.name)
                self.constants[self._weights[id(value)]] = _as_constant(value)
                self._keep.append(value)
            return self._weights[id(value)]
        array = _as_constant(value)
        key = (str(array.dtype), array.shape, hashlib.sha256(array.tobytes()).hexdigest())
        if key not in self._arrays:
            self._arrays[key] = self.names.take("/".join([*scope, "const"]))
            self.constants[self._arrays[key]] = array
        return self._arrays[key]

    def record(self, op: str, args: list[Any], attrs: dict[str, Any], out: SymbolicTensor, scope: list[str]) -> None:
        inputs: list[str] = []
        for a in args:
            if a is None:
                inputs.append("")
            elif isinstance(a, SymbolicTensor):
                if not self.knows(a):
                    raise CaptureError(f"op {op} reads a symbolic tensor {a!r} that no traced op made")
                inputs.append(self.name_of(a))
            else:
                inputs.append(self._constant(a, scope))
        while inputs and not inputs[-1]:
            inputs.pop()  # trailing absent optional inputs
        name = self.names.take("/".join([*scope, op]))
        self.nodes.append(Node(name, op, inputs, [self._bind(out, name)], dict(attrs)))


def _flat(x: Any) -> list:
    return list(x) if isinstance(x, list | tuple) else [x]


def _layers_of(model: Any) -> Iterator[Any]:
    """Every layer of ``model``, nested models included (each once)."""
    for layer in model.layers:
        yield layer
        if hasattr(layer, "_nodes"):
            yield from _layers_of(layer)


@contextmanager
def _checked_calls(model: Any, tracer: Tracer) -> Iterator[None]:
    """Wraps each layer's ``call`` (as an instance attribute, removed afterwards) so a failure or a
    result that no op-set op made is reported with the layer's name and class."""
    def wrap(layer: Any, call: Any) -> Any:
        def checked(*args: Any, training: bool = False, **kwargs: Any) -> Any:
            where = f"layer {layer.name!r} ({type(layer).__name__}) has no op mapping"
            try:
                out = call(*args, training=training, **kwargs)
            except CaptureError as e:
                if e.layer is not None:  # an inner layer of a nested model said it first
                    raise
                raise CaptureError(f"{where}: {e}", layer.name) from e
            except Exception as e:
                raise CaptureError(f"{where}: its call failed on symbolic inputs "
                                   f"({type(e).__name__}: {e})", layer.name) from e
            for o in _flat(out):
                if not tracer.knows(o):
                    raise CaptureError(f"{where}: its call returned {o!r}, which no op-set op made "
                                       "(compute with webgrad.raw_ops only)", layer.name)
            return out
        return checked

    layers = [la for la in dict.fromkeys(_layers_of(model)) if not isinstance(la, InputLayer)]
    for layer in layers:
        layer.call = wrap(layer, layer.call)
    try:
        yield
    finally:
        for layer in layers:
            del layer.call


def capture(model: Any) -> Graph:
    """The inference graph of a built ``Sequential`` or functional ``Model`` (see the module doc)."""
    return capture_with_weights(model)[0]


def capture_with_weights(model: Any) -> tuple[Graph, dict[str, Variable]]:
    """``capture(model)`` and which graph constant each of the model's weights became (constant name ->
    ``Variable``), which a trainable export needs to say what the optimizer updates."""
    if not getattr(model, "built", False) or not getattr(model, "inputs", None):
        raise CaptureError(f"model {getattr(model, 'name', model)!r} is not built: give it an Input, "
                           "or call/fit it once before exporting")
    tracer = Tracer()
    inputs = []
    for x in model.inputs:
        t = SymbolicTensor((None, *x.shape[1:]), x.dtype)
        if x.dtype == "string":  # texts become ids before the graph: its input is the ids
            try:
                tv = string_input_vectorizer(model, x)
            except TypeError as e:
                raise CaptureError(str(e), x.history[0].name) from e
            t = SymbolicTensor((None, tv.output_sequence_length), "int32")
        inputs.append((t, tracer.add_input(t, x.history[0].name)))
    out_names = [y.history[0].name for y in model.outputs]
    for name in out_names:
        tracer.names.used.add(name)  # reserved: no node takes an output's name
    args = [t for t, _ in inputs]
    with ops.tracing(tracer), ops.no_grad(), _checked_calls(model, tracer):
        outs = _flat(model.call(args if len(args) > 1 else args[0], training=False))
    graph = Graph(
        inputs=[TensorSpec(name, t.dtype, t.shape) for t, name in inputs],
        outputs=[], nodes=tracer.nodes, constants=tracer.constants,
    )
    made = {n.outputs[0]: n for n in graph.nodes}
    renamed: dict[str, str] = {}
    for i, (o, want) in enumerate(zip(outs, out_names, strict=True)):
        have = tracer.name_of(o)
        if have in made and have not in renamed:
            renamed[have] = want if out_names.index(want) == i else tracer.names.take(want)
        graph.outputs.append(TensorSpec(renamed.get(have, have), o.dtype, o.shape))
    for n in graph.nodes:
        n.inputs = [renamed.get(i, i) for i in n.inputs]
        n.outputs = [renamed.get(o, o) for o in n.outputs]
    graph.validate()
    weights = {name: v for v in tracer._keep if isinstance(v, Variable)
               for name in [tracer._weights[id(v)]]}
    return graph, weights


class _Predicted(SymbolicTensor):
    """A symbolic prediction that remembers the op that made it (``node``), as an eager ``Tensor``
    does: the losses read the logits given to a final Softmax/Sigmoid through it."""

    __slots__ = ("node",)


@dataclass
class LossGraph:
    """The captured per-example loss: ``nodes`` read ``inputs`` (forward tensors, then the labels),
    ``constants`` (their own, e.g. the clipping epsilon) and each other; ``output`` is ``[batch]``."""

    inputs: list[str]
    labels: TensorSpec
    nodes: list[Node]
    output: str
    constants: dict[str, np.ndarray]


def capture_loss(loss: Callable[[Any, Any], Any], graph: Graph, labels_shape: tuple,
                 make_labels: Callable[[tuple], SymbolicTensor]) -> LossGraph:
    """Traces ``loss(labels, y_pred)`` into op-set nodes. ``y_pred`` stands for ``graph``'s one output;
    when a Softmax/Sigmoid makes it, the prediction carries that op as its maker, so a loss that reads
    the logits instead (``webgrad.losses``: not ``from_logits``, like Keras) reads the Softmax's input
    tensor. ``make_labels(shape)`` gives the symbolic labels the loss accepts. Names never clash with
    ``graph``'s (loss nodes are scoped ``loss/``; the labels are ``labels``, the output ``loss``)."""
    if len(graph.outputs) != 1:
        raise CaptureError(f"a loss graph needs a model with one output, this one has {len(graph.outputs)}")
    out = graph.outputs[0]
    tracer = Tracer()
    tracer.names.used |= {s.name for s in graph.inputs} | set(graph.constants) | {
        t for n in graph.nodes for t in (n.name, *n.outputs)}
    shapes = infer_graph(graph, {s.name: s.shape for s in graph.inputs}, "graph")
    producer = graph.producers().get(out.name)
    y_pred = _Predicted(out.shape, out.dtype)
    y_pred.node = None
    if producer is not None and producer.op in ("Softmax", "Sigmoid"):
        logits = SymbolicTensor(*shapes[producer.inputs[0]])
        tracer._bind(logits, producer.inputs[0])
        y_pred.node = TapeNode(REGISTRY[producer.op], dict(producer.attrs), [logits])
    tracer._bind(y_pred, out.name)
    labels = make_labels(tuple(labels_shape))
    label_name = tracer.add_input(labels, "labels")
    with ops.tracing(tracer), ops.no_grad(), ops.name_scope("loss"):
        try:
            per_example = loss(labels, y_pred)
        except CaptureError:
            raise
        except Exception as e:
            raise CaptureError(f"the loss could not be captured on symbolic labels ({type(e).__name__}: {e}); "
                               "a trainable loss must be computed with webgrad.raw_ops") from e
    if not tracer.knows(per_example) or not tracer.nodes:
        raise CaptureError(f"the loss returned {per_example!r}, which no op-set op made")
    if len(per_example.shape) != 1:
        raise CaptureError(f"the loss must give one value per example (shape [batch]), got {per_example.shape}")
    final = tracer.nodes[-1]
    if final.outputs[0] != tracer.name_of(per_example):
        raise CaptureError("the loss's value is not its last op's output")
    final.outputs = [tracer.names.take("loss")]
    made = {o for n in tracer.nodes for o in n.outputs}
    read = dict.fromkeys(i for n in tracer.nodes for i in n.inputs
                         if i and i not in made and i not in tracer.constants and i != label_name)
    spec = TensorSpec(label_name, "float32", tuple(labels.shape))
    return LossGraph([*read, label_name], spec, tracer.nodes, final.outputs[0], tracer.constants)
