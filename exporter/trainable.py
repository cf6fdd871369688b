"""The graph and ``training`` section of a trainable bundle (``wg.export(model, path, trainable=True)``).

The forward graph is captured as for inference (Dropout leaves no node: fine-tuning in the runtime runs
without dropout in this version; BatchNormalization is its inference op, its moving statistics frozen
constants while ``gamma``/``beta`` train) and optimized only by passes that keep every weight as the
model's variable (``passes.TRAINABLE_PASSES``). The loss is captured from the Python loss on symbolic
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

from typing import Any

import numpy as np

from webgrad.exporter.bundle_training import slot_names
from webgrad.exporter.bundle_writer import tensor_order
from webgrad.exporter.capture import capture_loss, capture_with_weights
from webgrad.exporter.graph import Graph, UniqueNames
from webgrad.exporter.passes import TRAINABLE_PASSES, optimize

__all__ = ["trainable_graph"]


def trainable_graph(model: Any, spec: Any, *, passes: bool = True) -> tuple[Graph, dict[str, Any]]:
    """``(graph, training)``: the forward graph whose constants also hold the loss graph's constants and
    the optimizer state, and the ``training`` section naming them. ``spec`` is
    ``model.training_spec(loss, optimizer)`` (``webgrad.loss_tracing.TrainingSpec``); ``passes=False``
    skips even the weight-keeping passes."""
    graph, weights = capture_with_weights(model)
    if passes:
        graph = optimize(graph, TRAINABLE_PASSES)
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
    return Graph(graph.inputs, graph.outputs, graph.nodes, constants), training
