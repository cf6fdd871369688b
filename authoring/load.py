"""``wg.load_model``: a bundle back as a trainable functional ``Model``.

The model is rebuilt from the bundle's graph, not from a saved config, so any bundle loads, including
one whose batch norms were folded and whose activations were fused by the exporter:

- ``MatMul`` with a constant 2-D weight -> ``Dense`` (units, fused activation, kernel and bias);
- ``Conv2D`` with a constant filter and SAME/VALID padding -> ``Conv2D`` (also grouped) or
  ``DepthwiseConv2D`` (groups == channels);
- ``BatchNorm`` with constant parameters -> ``BatchNormalization`` (gamma, beta, moving statistics);
- ``LayerNorm`` over the last axis -> ``LayerNormalization``;
- ``Gather`` from a constant float table along axis 0 -> ``Embedding``;
- every other node -> ``OpLayer`` applying that one op, its constant inputs held as weights
  (trainable when float32).

Layers are named after the node scope (``dense_1/MatMul`` -> ``dense_1``), and a layer that makes a
graph output takes that output's name, so exporting the loaded model again keeps the signature.

A trainable bundle (formatVersion 2 with a ``training`` section, from ``wg.export(..., trainable=True)``
or the npm runtime's ``toBundle``) loads compiled: the weights it lists as trainable train, the others
are frozen, the loss and optimizer are its own, and the optimizer state (``iterations`` and slots) is
restored, so ``fit`` continues exactly where the bundle left off.

A text bundle (formatVersion 3 with a ``tokenizer``) loads as a model that takes texts: its input is a
string ``Input`` read by a ``TextVectorization`` holding the bundle's tokenizer.

>>> import tempfile, numpy as np, webgrad as wg
>>> model = wg.Sequential([wg.Input((4,), name="x"), wg.layers.Dense(3, activation="softmax", name="probs")])
>>> path = tempfile.mkdtemp() + "/b"
>>> _ = wg.export(model, path, verbose=0)
>>> loaded = wg.load_model(path)
>>> [type(la).__name__ for la in loaded.layers]
['InputLayer', 'Dense', 'OpLayer']
>>> x = np.ones((2, 4), np.float32)
>>> bool(np.allclose(loaded.predict(x), model.predict(x), atol=1e-6))
True
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from webgrad import layers
from webgrad import losses as wg_losses
from webgrad import optimizers as wg_optimizers
from webgrad import raw_ops as ops
from webgrad.exporter.bundle_errors import BundleError
from webgrad.exporter.bundle_reader import read_bundle
from webgrad.exporter.graph import Graph, Node, UniqueNames
from webgrad.layers.base import Layer
from webgrad.layers.op_layer import OpLayer
from webgrad.model import Model
from webgrad.tensor import SymbolicTensor

__all__ = ["load_model", "model_from_graph"]

#: fused ``activation`` attribute -> the Keras activation name that computes it
_ACTIVATIONS = {"none": "linear", "relu": "relu", "relu6": "relu6", "leaky_relu": "leaky_relu",
                "sigmoid": "sigmoid", "tanh": "tanh", "gelu": "gelu"}
_KERAS_LEAKY_ALPHA = 0.2  # what the "leaky_relu" activation of Dense/Conv2D uses

# A mapper: (node, constants, tensors, layer name) -> (layer, tensor inputs, weight values), or None
Built = tuple[Layer, list[str], list[np.ndarray]]
Mapper = Callable[[Node, dict[str, np.ndarray], dict[str, SymbolicTensor], str], Built | None]


def load_model(path: str | Path) -> Model:
    """The bundle at ``path`` as a trainable functional model (see the module doc); its metadata
    (labels, preprocessing…) is kept as ``model.bundle_metadata``.

    A bundle the reader refuses, or whose authoring metadata (``metadata.model_config``) is malformed,
    raises ``BundleError`` (a ``ValueError``) naming the field.

    >>> import tempfile, webgrad as wg
    >>> path = tempfile.mkdtemp() + "/b"
    >>> _ = wg.export(wg.Sequential([wg.Input((2,)), wg.layers.Dense(1)], name="tiny"), path, verbose=0)
    >>> wg.load_model(path).name
    'tiny'
    """
    bundle = read_bundle(path)
    sources: dict[str, list[Any]] = {}
    texts = {} if bundle.tokenizer is None else {bundle.manifest["tokenizer"]["input"]: bundle.tokenizer}
    model = model_from_graph(bundle.graph, name=_model_name(bundle.metadata, Path(path)), sources=sources,
                             texts=texts)
    model.bundle_metadata = dict(bundle.metadata)  # type: ignore[attr-defined]
    if "training" in bundle.manifest:
        restore_training(model, bundle.manifest["training"], bundle.graph.constants, sources,
                         f"{bundle.path / 'model.json'}")
        _restore_batch_norm_momentum(model, bundle.manifest["training"], bundle.graph, sources)
    return model


def _restore_batch_norm_momentum(model: Model, training: dict[str, Any], graph: Graph,
                                 sources: dict[str, list[Any]]) -> None:
    """Each BatchNormalization a trainable bundle trains (``training.batchNorm``) gets its momentum
    back, found through the layer that holds the node's scale weight."""
    nodes = {n.name: n for n in graph.nodes}
    for entry in training.get("batchNorm", []):
        node = nodes.get(entry["node"])
        held = sources.get(node.inputs[1], []) if node is not None and len(node.inputs) > 1 else []
        for layer in model.layers:
            if isinstance(layer, layers.BatchNormalization) and any(w is v for w in layer.weights for v in held):
                layer.momentum = float(entry["momentum"])


def restore_training(model: Model, training: dict[str, Any], constants: dict[str, np.ndarray],
                     sources: dict[str, list[Any]], where: str) -> None:
    """Compiles ``model`` as a trainable bundle's ``training`` section says: only the listed weights
    train, with the bundle's loss and optimizer, whose state is restored. ``sources`` maps each bundle
    weight to the model variables made from it (``model_from_graph``). BundleError names the field."""
    field = f"{where}: training"
    trainable = set(training["trainable"])
    variables: dict[str, Any] = {}
    for name, found in sources.items():
        for var in found:
            var.trainable = var.requires_grad = name in trainable
    for i, name in enumerate(training["trainable"]):
        found = sources.get(name, [])
        if len(found) != 1 or tuple(found[0].shape) != tuple(constants[name].shape):
            why = "no layer holds it" if not found else (
                f"{len(found)} layers hold it" if len(found) > 1 else "its layer holds it transposed")
            raise BundleError("EGRAPH", f"{field}.trainable[{i}] {name!r} cannot train in Python: {why}")
        variables[name] = found[0]
    loss_spec = training["loss"]
    try:
        loss = type(wg_losses.get(loss_spec["name"]))(from_logits=bool(loss_spec.get("from_logits", False)))
        optimizer = wg_optimizers.from_bundle_config(training["optimizer"])
    except (ValueError, TypeError) as e:
        raise BundleError("ESCHEMA", f"{field}: {e}") from e
    model.compile(optimizer=optimizer, loss=loss)
    state = training["state"]
    optimizer.load_state(state["iterations"], [
        (variables[w], {slot: constants[tensor] for slot, tensor in slots.items()})
        for w, slots in sorted(state["slots"].items())])


def _model_name(metadata: Any, path: Path) -> str:
    """The authoring model's name from ``metadata.model_config.config.name`` (what ``wg.export``
    writes), else the bundle folder's name. Any of these present with the wrong JSON type is a
    ``BundleError`` naming it: the metadata is free-form, so the schema does not check it."""
    where = f"{path / 'model.json'}"
    if not isinstance(metadata, dict):
        raise BundleError("ESCHEMA", f"{where}: metadata must be an object, got {type(metadata).__name__}")
    spec = metadata.get("model_config")
    if spec is None:
        return path.name
    if not isinstance(spec, dict):
        raise BundleError("ESCHEMA", f"{where}: metadata.model_config must be an object "
                                     f'{{"class_name": ..., "config": {{...}}}} or absent, got {type(spec).__name__}')
    config = spec.get("config")
    if config is None:
        return path.name
    if not isinstance(config, dict):
        raise BundleError("ESCHEMA", f"{where}: metadata.model_config.config must be an object, "
                                     f"got {type(config).__name__}")
    name = config.get("name")
    if name is not None and not isinstance(name, str):
        raise BundleError("ESCHEMA", f"{where}: metadata.model_config.config.name must be a string, "
                                     f"got {type(name).__name__}")
    return name or path.name


def _activation(attrs: dict[str, Any]) -> str | None:
    act = attrs.get("activation", "none")
    if act == "leaky_relu" and attrs.get("alpha") != _KERAS_LEAKY_ALPHA:
        return None
    return _ACTIVATIONS.get(act)


def _weights_and_bias(node: Node, consts: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray | None] | None:
    """The constant weight and optional constant bias of a MatMul/Conv2D over a tensor input."""
    ins = node.inputs
    if ins[0] in consts or ins[1] not in consts or (len(ins) > 2 and ins[2] and ins[2] not in consts):
        return None
    return consts[ins[1]], (consts[ins[2]] if len(ins) > 2 and ins[2] else None)


def _dense(node: Node, consts: dict[str, np.ndarray], tensors: dict[str, SymbolicTensor], name: str) -> Built | None:
    wb = _weights_and_bias(node, consts)
    act = _activation(node.attrs)
    if wb is None or act is None or wb[0].ndim != 2 or node.attrs["transpose_a"]:
        return None
    kernel, bias = wb
    kernel = kernel.T if node.attrs["transpose_b"] else kernel
    layer = layers.Dense(kernel.shape[1], activation=act, use_bias=bias is not None, name=name)
    return layer, node.inputs[:1], [kernel] + ([bias] if bias is not None else [])


def _conv(node: Node, consts: dict[str, np.ndarray], tensors: dict[str, SymbolicTensor], name: str) -> Built | None:
    wb = _weights_and_bias(node, consts)
    act = _activation(node.attrs)
    a = node.attrs
    if wb is None or act is None or not isinstance(a["padding"], str):
        return None
    kernel, bias = wb
    kh, kw, cg, out = kernel.shape
    common = {"strides": a["strides"], "padding": a["padding"].lower(), "dilation_rate": a["dilations"],
              "activation": act, "use_bias": bias is not None, "name": name}
    groups = a["groups"]
    layer: Layer
    if groups > 1 and cg == 1:
        layer = layers.DepthwiseConv2D((kh, kw), depth_multiplier=out // groups, **common)
    else:
        layer = layers.Conv2D(out, (kh, kw), groups=groups, **common)
    return layer, node.inputs[:1], [kernel] + ([bias] if bias is not None else [])


def _batch_norm(node: Node, consts: dict[str, np.ndarray], tensors: dict[str, SymbolicTensor],
                name: str) -> Built | None:
    x, *params = node.inputs
    if x in consts or not all(p in consts for p in params):
        return None
    layer = layers.BatchNormalization(epsilon=node.attrs["epsilon"], name=name)
    return layer, [x], [consts[p] for p in params]


def _layer_norm(node: Node, consts: dict[str, np.ndarray], tensors: dict[str, SymbolicTensor],
                name: str) -> Built | None:
    x, gamma, beta = node.inputs
    rank = len(tensors[x].shape) if x in tensors else 0
    if x in consts or gamma not in consts or beta not in consts or node.attrs["axis"] not in (-1, rank - 1):
        return None
    layer = layers.LayerNormalization(epsilon=node.attrs["epsilon"], name=name)
    return layer, [x], [consts[gamma], consts[beta]]


def _embedding(node: Node, consts: dict[str, np.ndarray], tensors: dict[str, SymbolicTensor],
               name: str) -> Built | None:
    table, ids = node.inputs
    if table not in consts or ids in consts or consts[table].ndim != 2 or consts[table].dtype != np.float32 \
            or node.attrs["axis"] != 0:
        return None
    rows, dim = consts[table].shape
    return layers.Embedding(rows, dim, name=name), [ids], [consts[table]]


def _op_layer(node: Node, consts: dict[str, np.ndarray], tensors: dict[str, SymbolicTensor], name: str) -> Built:
    signature = [None if not i else "w" if i in consts else "x" for i in node.inputs]
    weights = [consts[i] for i in node.inputs if i in consts]
    specs = [{"shape": list(w.shape), "dtype": str(w.dtype)} for w in weights]
    layer = OpLayer(node.op, node.attrs, signature=signature, weight_specs=specs, name=name)
    return layer, [i for i in node.inputs if i and i not in consts], weights


MAPPERS: dict[str, Mapper] = {
    "MatMul": _dense, "Conv2D": _conv, "BatchNorm": _batch_norm, "LayerNorm": _layer_norm, "Gather": _embedding,
}


class _LayerNames:
    """Layer names from node names, unique within the model; graph outputs name their layer."""

    def __init__(self, graph: Graph):
        self.names = UniqueNames({s.name for s in graph.inputs} | {s.name for s in graph.outputs})
        self.outputs = {s.name for s in graph.outputs}

    def for_node(self, node: Node) -> str:
        if node.outputs[0] in self.outputs:
            return node.outputs[0]
        scope = node.name.rsplit("/", 1)[0]
        return self.names.take(scope if scope not in self.names.used else node.name.replace("/", "_"))


def model_from_graph(graph: Graph, name: str = "model", sources: dict[str, list[Any]] | None = None,
                     texts: dict[str, Any] | None = None) -> Model:
    """A functional model computing ``graph`` (see the module doc). A node whose inputs are all
    constants is run once here and its result becomes a constant (what ``passes.fold_constants``
    does, without its size and dtype limits: a trainable model holds its constants as weights).

    One pass over the nodes in their (topological) order, no recursion: 100,000-node graphs load.
    ``sources``, when given, is filled with graph constant name -> the variables made from it.
    ``texts`` maps a graph input to the tokenizer that makes its ids (a text bundle's): the model then
    takes texts there, through a ``TextVectorization`` holding that tokenizer.

    >>> import numpy as np
    >>> from webgrad.exporter.graph import Graph, Node, TensorSpec
    >>> g = Graph([TensorSpec("x", "float32", (None, 2))], [TensorSpec("y", "float32", (None, 2))],
    ...           [Node("one/Exp", "Exp", ["c"], ["e"]), Node("add/Add", "Add", ["x", "e"], ["y"])],
    ...           {"c": np.zeros(2, np.float32)})
    >>> model_from_graph(g).predict(np.zeros((1, 2), np.float32))  # Exp(c) was run once, at load
    array([[1., 1.]], dtype=float32)
    """
    tensors: dict[str, SymbolicTensor] = {
        s.name: layers.Input(tuple(s.shape[1:]), dtype=s.dtype, name=s.name) for s in graph.inputs
    }
    raw_texts = {}
    for input_name, tokenizer in (texts or {}).items():  # string Input -> TextVectorization -> the ids
        raw_texts[input_name] = layers.Input((1,), dtype="string", name=input_name)
        vectorizer = layers.TextVectorization.from_tokenizer(tokenizer, name=f"{input_name}_tokenizer")
        tensors[input_name] = vectorizer(raw_texts[input_name])
    consts = dict(graph.constants)
    names = _LayerNames(graph)
    for node in graph.nodes:
        if all(not i or i in consts for i in node.inputs):
            if node.outputs[0] in names.outputs:
                raise ValueError(
                    f"graph output {node.outputs[0]!r} is computed by node {node.name!r} ({node.op}) from constants "
                    "only, not from any graph input; a trainable model's outputs must depend on its inputs "
                    "(the bundle still runs as it is with webgrad.exporter.runner.load_bundle)")
            with ops.no_grad():
                value = ops.apply(node.op, *[consts[i] if i else None for i in node.inputs], **node.attrs)
            consts[node.outputs[0]] = np.asarray(value.data)
            continue
        lname = names.for_node(node)
        mapper = MAPPERS.get(node.op)
        built = mapper(node, consts, tensors, lname) if mapper else None
        layer, args, weights = built or _op_layer(node, consts, tensors, lname)
        xs = [tensors[a] for a in args]
        tensors[node.outputs[0]] = layer(xs if layer.n_inputs is None else xs[0])
        layer.set_weights(weights)
        if sources is not None:  # every mapper takes a node's constant inputs as weights, in input order
            for const, var in zip([i for i in node.inputs if i in consts], layer.weights, strict=True):
                sources.setdefault(const, []).append(var)
    missing = [o.name for o in graph.outputs if o.name not in tensors]
    if missing:
        raise ValueError(f"graph outputs {missing} are constants, not computed from the inputs")
    outs = [tensors[o.name] for o in graph.outputs]
    inputs = [raw_texts.get(s.name, tensors[s.name]) for s in graph.inputs]
    return Model(inputs, outs if len(outs) > 1 else outs[0], name=name)
