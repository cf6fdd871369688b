"""Checks the ``training`` section of a trainable bundle (formatVersion 2) beyond the JSON Schema: every
name it lists exists, the loss graph is a graph of op-set ops over forward tensors, the labels and
weights, and the optimizer state fits the weights. ``BundleError`` names the field:

- ESCHEMA: the section's own structure (a slot of a weight that is not trainable, slots that the
  optimizer does not have or lacks, the labels not among the loss graph's inputs, a one-hot labels
  shape that is not ``[null, classes]``);
- EGRAPH: a name that is not what it should be (a trainable weight or slot tensor not in the weight
  table or not float32, a slot tensor of another shape than its weight, a loss-graph input that is no
  forward tensor, a loss node reading an unknown tensor or redefining one, an undefined output);
- EGRAPH too: a ``dropout`` tensor the forward graph does not make, a ``batchNorm`` node that is no
  BatchNorm node or whose moving statistics are not float32 weights (or are trainable);
- EUNKNOWN_OP / EATTR: a loss node whose op is not an op-set op (gradient ops included) or whose
  attributes are invalid; ESHAPE / EDTYPE: the shape rules refuse the loss graph, or its output is not
  one float32 value per example.

The JS loader (``js_runtime/src/loader/manifest.js``) gives the same codes (tests/bundle_cases/trainable.json).
"""

from __future__ import annotations

from typing import Any

from webgrad.exporter.bundle_errors import BundleError
from webgrad.exporter.bundle_shapes import checked_attrs, infer_graph
from webgrad.exporter.graph import Graph, Node, TensorSpec

__all__ = ["SLOTS", "check_training", "loss_graph", "slot_names"]

#: optimizer name -> its slot names (sgd has one only with momentum)
SLOTS = {"sgd": ("velocity",), "adam": ("m", "v")}


def slot_names(optimizer: dict[str, Any]) -> tuple[str, ...]:
    """The slots ``training.optimizer`` keeps per trainable weight.

    >>> slot_names({"name": "sgd", "learning_rate": 0.1}), slot_names({"name": "adam", "learning_rate": 0.1})
    ((), ('m', 'v'))
    """
    if optimizer["name"] == "sgd" and not optimizer.get("momentum", 0):
        return ()
    return SLOTS[optimizer["name"]]


def loss_graph(training: dict[str, Any], forward: Graph) -> Graph:
    """The loss graph as a ``Graph`` over ``forward``'s weights: its inputs are the loss graph's inputs
    (forward tensors, the labels), its one output the per-example loss (shapes unknown: ``()``)."""
    lg = training["lossGraph"]
    labels = training["labels"]
    inputs = [TensorSpec(n, "float32", tuple(labels["shape"]) if n == labels["name"] else ()) for n in lg["inputs"]]
    nodes = [Node(n["name"], n["op"], list(n["inputs"]), list(n["outputs"]), dict(n["attrs"])) for n in lg["nodes"]]
    return Graph(inputs, [TensorSpec(lg["output"], "float32", (None,))], nodes, forward.constants)


def check_training(manifest: dict[str, Any], graph: Graph, where: str) -> None:
    """Validates ``manifest["training"]`` against the bundle's weights and forward ``graph`` (see the
    module doc); nothing when the section is absent."""
    t = manifest.get("training")
    if t is None:
        return
    tensors = {e["name"]: e for e in manifest["weights"]["tensors"]}
    field = f"{where}: training"

    def float32_weight(path: str, name: str) -> dict[str, Any]:
        entry = tensors.get(name)
        if entry is None:
            raise BundleError("EGRAPH", f"{field}.{path} names {name!r}, which is not a tensor of weights.tensors")
        if entry["dtype"] != "float32":
            raise BundleError("EGRAPH", f"{field}.{path} names {name!r}, a {entry['dtype']} tensor; trainable "
                                        "weights and optimizer slots are stored float32")
        return entry

    trainable = t["trainable"]
    for i, name in enumerate(trainable):
        float32_weight(f"trainable[{i}]", name)
    if len(set(trainable)) != len(trainable):
        raise BundleError("ESCHEMA", f"{field}.trainable lists a weight twice")
    _check_labels(t["labels"], field)
    _check_loss_graph(t, graph, field, int(manifest["opsetVersion"]))
    _check_training_mode(t, graph, field, float32_weight)
    slots, want = t["state"]["slots"], slot_names(t["optimizer"])
    for weight, by_slot in slots.items():
        path = f"state.slots[{weight!r}]"
        if weight not in trainable:
            raise BundleError("ESCHEMA", f"{field}.{path}: slots of a weight that is not in training.trainable")
        if sorted(by_slot) != sorted(want):
            raise BundleError("ESCHEMA", f"{field}.{path}: optimizer {t['optimizer']['name']!r} keeps slots "
                                         f"{list(want)}, got {sorted(by_slot)}")
        for slot, tensor in by_slot.items():
            entry = float32_weight(f"{path}.{slot}", tensor)
            if entry["shape"] != tensors[weight]["shape"]:
                raise BundleError("EGRAPH", f"{field}.{path}.{slot}: slot tensor {tensor!r} has shape "
                                            f"{entry['shape']}, its weight {weight!r} {tensors[weight]['shape']}")
    missing = [w for w in trainable if want and w not in slots]
    if missing:
        raise BundleError("ESCHEMA", f"{field}.state.slots: no {list(want)} slots for trainable weight "
                                     f"{missing[0]!r}")


def _check_training_mode(t: dict[str, Any], graph: Graph, field: str, float32_weight: Any) -> None:
    """``dropout`` names forward tensors; ``batchNorm`` names BatchNorm nodes whose moving statistics are
    float32 weights that the optimizer does not train (EGRAPH)."""
    forward = {s.name for s in graph.inputs} | {o for n in graph.nodes for o in n.outputs}
    for i, d in enumerate(t.get("dropout", [])):
        if d["tensor"] not in forward:
            raise BundleError("EGRAPH", f"{field}.dropout[{i}].tensor {d['tensor']!r} is not a tensor of the forward "
                                        "graph")
    nodes = {n.name: n for n in graph.nodes}
    for i, b in enumerate(t.get("batchNorm", [])):
        node = nodes.get(b["node"])
        if node is None or node.op != "BatchNorm":
            raise BundleError("EGRAPH", f"{field}.batchNorm[{i}].node {b['node']!r} is not a BatchNorm node")
        for k in (3, 4):
            float32_weight(f"batchNorm[{i}] (node input {k})", node.inputs[k])
            if node.inputs[k] in t["trainable"]:
                raise BundleError("EGRAPH", f"{field}.batchNorm[{i}]: moving statistic {node.inputs[k]!r} is in "
                                            "training.trainable; it moves with the batch statistics instead")


def _check_labels(labels: dict[str, Any], field: str) -> None:
    shape = labels["shape"]
    if not shape or shape[0] is not None:
        raise BundleError("ESCHEMA", f"{field}.labels.shape must start with the batch dim null, got {shape}")
    if labels["encoding"] == "onehot" and list(shape) != [None, labels["classes"]]:
        raise BundleError("ESCHEMA", f"{field}.labels.shape must be [null, classes] = [null, {labels['classes']}] "
                                     f"for one-hot labels, got {shape}")


def _check_loss_graph(t: dict[str, Any], graph: Graph, field: str, declared: int) -> None:
    lg, label_name = t["lossGraph"], t["labels"]["name"]
    forward = {s.name for s in graph.inputs} | {o for n in graph.nodes for o in n.outputs}
    taken = forward | set(graph.constants) | {n.name for n in graph.nodes}
    if label_name in taken:
        raise BundleError("EGRAPH", f"{field}.labels.name {label_name!r} is already a tensor of the bundle")
    if label_name not in lg["inputs"]:
        raise BundleError("ESCHEMA", f"{field}.lossGraph.inputs {lg['inputs']} lack the labels {label_name!r}")
    for i, name in enumerate(lg["inputs"]):
        if name != label_name and name not in forward:
            raise BundleError("EGRAPH", f"{field}.lossGraph.inputs[{i}] {name!r} is not a tensor of the forward "
                                        "graph (an input or a node output) nor the labels")
    defined = set(lg["inputs"]) | set(graph.constants)
    for i, n in enumerate(lg["nodes"]):
        at = f"{field}.lossGraph.nodes[{i}] ({n['name']!r})"
        checked_attrs(n, f"{field}.lossGraph", f"nodes[{i}] ({n['name']!r})", declared)
        if n["name"] in taken:
            raise BundleError("EGRAPH", f"{at}: the name is already taken in the bundle")
        taken.add(n["name"])
        for name in n["inputs"]:
            if name and name not in defined:
                raise BundleError("EGRAPH", f"{at} reads {name!r}, which is no loss-graph input, weight or output of "
                                            "an earlier loss node")
        out = n["outputs"][0]
        if out in defined or out in forward:
            raise BundleError("EGRAPH", f"{at} redefines tensor {out!r}")
        defined.add(out)
    if lg["nodes"][-1]["outputs"][0] != lg["output"]:
        raise BundleError("EGRAPH", f"{field}.lossGraph.output {lg['output']!r} is not made by the last loss node")
    shapes = infer_graph(graph, {s.name: s.shape for s in graph.inputs}, f"{field} forward graph")
    g = loss_graph(t, graph)
    feeds = {s.name: (s.shape if s.name == label_name else shapes[s.name][0]) for s in g.inputs}
    for s in g.inputs:
        if s.name != label_name and shapes[s.name][1] != "float32":
            raise BundleError("EDTYPE", f"{field}.lossGraph.inputs: {s.name!r} is {shapes[s.name][1]}, not float32")
    values = infer_graph(g, feeds, f"{field}.lossGraph")
    shape, dtype = values[lg["output"]]
    if dtype != "float32" or len(shape) != 1:
        raise BundleError("ESHAPE", f"{field}.lossGraph.output {lg['output']!r} is {dtype} {list(shape)}; expected "
                                    "float32 [batch], one loss per example")
