"""The graph and ``training`` section of a trainable bundle (``wg.export(model, path, trainable=True)``).

The forward graph is captured as for inference (Dropout leaves no node; BatchNormalization is its
inference op) and optimized only by passes that keep every weight as the model's variable
(``passes.TRAINABLE_PASSES``). What differs while training is listed, and the runtime builds it
(``js_runtime/src/train/training_mode.js``): ``dropout`` names the tensor each Dropout layer drops and its
rate; ``batchNorm`` names the BatchNorm node of each BatchNormalization layer that trains in
batch-statistics mode (Keras 3: a trainable layer; a frozen one stays in inference mode) and its
momentum. The loss is captured from the Python loss on symbolic
labels (``capture.capture_loss``); the optimizer's hyper-parameters and state (``iterations``, one
tensor per slot and trainable weight, named ``opt/<weight>/<slot>``) join the weights.

>>> import webgrad as wg
>>> model = wg.Sequential([wg.Input((4,), name="x"), wg.layers.Dense(3, activation="softmax", name="probs")])
>>> model.compile(optimizer=wg.optimizers.SGD(0.1, momentum=0.9), loss="sparse_categorical_crossentropy")
>>> graph, training = trainable_graph(model, model.training_spec())
>>> training["trainable"], training["lossGraph"]["inputs"], training["state"]["slots"]["probs/kernel"]
(['probs/kernel', 'probs/bias'], ['probs/MatMul', 'labels'], {'velocity': 'opt/probs/kernel/velocity'})
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from webgrad import raw_ops
from webgrad.exporter.bundle_training import slot_names
from webgrad.exporter.bundle_writer import tensor_order
from webgrad.exporter.capture import capture_loss, capture_with_weights
from webgrad.exporter.graph import Graph, UniqueNames
from webgrad.exporter.passes import TRAINABLE_PASSES, optimize
from webgrad.layers import BatchNormalization, Dropout

__all__ = ["trainable_graph"]


def trainable_graph(model: Any, spec: Any, *, passes: bool = True) -> tuple[Graph, dict[str, Any]]:
    """``(graph, training)``: the forward graph whose constants also hold the loss graph's constants and
    the optimizer state, and the ``training`` section naming them. ``spec`` is
    ``model.training_spec(loss, optimizer)`` (``webgrad.loss_tracing.TrainingSpec``); ``passes=False``
    skips even the weight-keeping passes."""
    with _dropout_points(model) as dropped:
        graph, weights = capture_with_weights(model)
    if passes:
        graph = optimize(graph, TRAINABLE_PASSES)
    dropout = _dropout_section(graph, dropped)
    batch_norm = _batch_norm_section(model, graph, weights)
    out = graph.outputs[0]
    onehot = spec.encoding == "onehot"
    labels_shape = (None, out.shape[-1]) if onehot else tuple(out.shape)
    if onehot and (len(out.shape) != 2 or out.shape[-1] is None):
        raise ValueError(f"{spec.loss.name} needs a [batch, classes] output; {model.name!r} gives {list(out.shape)}")
    lg = capture_loss(spec, graph, labels_shape, spec.make_labels)
    trainable_ids = {id(w) for w in model.trainable_weights}
    trainable = [n for n in tensor_order(graph) if n in weights and id(weights[n]) in trainable_ids]
    optimizer = spec.optimizer.bundle_config()
    names = UniqueNames(set(graph.constants) | set(lg.constants) | {s.name for s in graph.inputs}
                        | {t for n in (*graph.nodes, *lg.nodes) for t in (n.name, *n.outputs)} | {lg.labels.name})
    constants: dict[str, np.ndarray] = {**graph.constants, **lg.constants}
    slots: dict[str, dict[str, str]] = {}
    want = slot_names(optimizer)
    for name, arrays in zip(trainable, spec.optimizer.state_arrays([weights[n] for n in trainable]), strict=True):
        if not want:
            break
        slots[name] = {}
        for slot in want:
            slots[name][slot] = names.take(f"opt/{name}/{slot}")
            constants[slots[name][slot]] = arrays[slot]
    labels: dict[str, Any] = {"name": lg.labels.name, "encoding": spec.encoding, "shape": list(lg.labels.shape)}
    if onehot:
        labels["classes"] = int(out.shape[-1])
    training = {
        "trainable": trainable,
        "labels": labels,
        "lossGraph": {"inputs": lg.inputs, "nodes": [n.to_json() for n in lg.nodes], "output": lg.output},
        "loss": {"name": spec.loss.name, "from_logits": bool(spec.loss.from_logits)},
        "optimizer": optimizer,
        "state": {"iterations": int(spec.optimizer.iterations), "slots": slots},
    }
    if dropout:
        training["dropout"] = dropout
    if batch_norm:
        training["batchNorm"] = batch_norm
    return Graph(graph.inputs, graph.outputs, graph.nodes, constants), training


def _layers(model: Any) -> Iterator[Any]:
    for layer in getattr(model, "layers", []):
        yield layer
        yield from _layers(layer)


#: layers that act only while training, whose training behaviour the runtime does not have (yet)
_TRAINING_ONLY = ("GaussianDropout", "GaussianNoise", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
                  "AlphaDropout", "RandomFlip", "RandomCrop", "RandomRotation", "RandomZoom", "RandomTranslation",
                  "RandomContrast", "RandomBrightness")


@contextmanager
def _dropout_points(model: Any) -> Iterator[list[tuple[Any, str]]]:
    """While capturing: each Dropout layer with a rate > 0 and the name of the tensor it drops (the
    capture's name of its input; Dropout leaves no node). Other training-only layers are refused."""
    found: list[tuple[Any, str]] = []
    wrapped = []
    for layer in dict.fromkeys(_layers(model)):
        if type(layer).__name__ in _TRAINING_ONLY:
            raise NotImplementedError(f"layer {layer.name!r} ({type(layer).__name__}) is not supported yet in a "
                                      "trainable export: the runtime trains with Dropout only among the "
                                      "training-only layers; remove it or export without trainable=True")
        if type(layer) is not Dropout or not layer.rate:
            continue

        def call(x: Any, training: bool = False, _layer: Any = layer, _call: Any = layer.call) -> Any:
            # the capture's tracer names the tensor (Dropout's input is a tensor some op or input made)
            tracer = raw_ops._state["tracer"]
            if tracer is not None and tracer.knows(x):
                found.append((_layer, tracer.name_of(x)))
            return _call(x, training=training)

        layer.call = call
        wrapped.append(layer)
    try:
        yield found
    finally:
        for layer in wrapped:
            layer.__dict__.pop("call", None)


def _dropout_section(graph: Graph, dropped: list[tuple[Any, str]]) -> list[dict[str, Any]]:
    """``training.dropout``: ``{"tensor", "rate"}`` per Dropout layer, refusing a tensor that the runtime
    could not drop for that layer alone (one that other layers also read, or a model output)."""
    readers: dict[str, int] = {}
    for n in graph.nodes:
        for t in n.inputs:
            readers[t] = readers.get(t, 0) + 1
    made = {s.name for s in graph.inputs} | {o for n in graph.nodes for o in n.outputs}
    out = []
    for layer, tensor in dropped:
        where = f"Dropout layer {layer.name!r} in a trainable export"
        if tensor not in made or any(o.name == tensor for o in graph.outputs):
            raise NotImplementedError(f"{where}: dropping a model output or a tensor the graph passes removed "
                                      "is not supported yet")
        if readers.get(tensor, 0) != 1:
            raise NotImplementedError(f"{where}: its input {tensor!r} is also read by other layers; dropout on a "
                                      "shared tensor is not supported yet")
        out.append({"tensor": tensor, "rate": float(layer.rate)})
    return out


def _batch_norm_section(model: Any, graph: Graph, weights: dict[str, Any]) -> list[dict[str, Any]]:
    """``training.batchNorm``: ``{"node", "momentum"}`` per trainable BatchNormalization layer (its
    BatchNorm node is found by its moving mean)."""
    by_var = {id(v): name for name, v in weights.items()}
    by_mean = {n.inputs[3]: n.name for n in graph.nodes if n.op == "BatchNorm"}
    out = []
    for layer in dict.fromkeys(_layers(model)):
        if type(layer) is not BatchNormalization or not layer.trainable:
            continue
        node = by_mean.get(by_var.get(id(layer.moving_mean), ""))
        if node is None:
            raise NotImplementedError(f"BatchNormalization layer {layer.name!r} in a trainable export: its "
                                      "BatchNorm node was not found in the graph")
        out.append({"node": node, "momentum": float(layer.momentum)})
    return out
