"""Models: the functional ``Model(inputs, outputs)`` graph of layer calls, and ``Sequential``.

Training, evaluation and prediction live in ``training.py``; ``Model`` exposes them as methods.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad import loss_tracing, training
from webgrad.layers.base import IncompatibleShapesError, Layer, LayerNode, get_layer_class
from webgrad.layers.core import Input, InputLayer
from webgrad.raw_ops import name_scope
from webgrad.saving import SavingMixin
from webgrad.summary import summarize
from webgrad.tensor import SymbolicTensor, Tensor


def _as_list(x: Any) -> list:
    return list(x) if isinstance(x, list | tuple) else [x]


def _call_order(inputs: list[SymbolicTensor], outputs: list[SymbolicTensor]) -> list[LayerNode]:
    """The layer calls that lead from ``inputs`` to ``outputs``, each after the calls it reads from
    (depth-first, inputs in order). Iterative with an explicit stack: a model may be thousands of
    layers deep, past Python's recursion limit."""
    input_ids = {id(x) for x in inputs}
    order: list[LayerNode] = []
    seen: set[int] = set()

    def producer(t: SymbolicTensor) -> LayerNode | None:
        layer, node_index, _ = t.history
        if isinstance(layer, InputLayer):
            if id(t) not in input_ids:
                raise ValueError(f"output depends on input {layer.name!r}, which is not in the model's inputs")
            return None
        return layer.inbound_nodes[node_index]

    for y in outputs:
        first = producer(y)
        if first is None or id(first) in seen:
            continue
        seen.add(id(first))
        stack: list[tuple[LayerNode, int]] = [(first, 0)]  # a call and how many of its inputs are visited
        while stack:
            node, i = stack[-1]
            if i == len(node.inputs):
                stack.pop()
                order.append(node)
                continue
            stack[-1] = (node, i + 1)
            child = producer(node.inputs[i])
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                stack.append((child, 0))
    return order


class Model(Layer, training.TrainingMixin, SavingMixin):
    """A graph of layer calls from ``inputs`` (made by ``wg.Input``) to ``outputs``.

    >>> import webgrad as wg
    >>> a, b = wg.Input((4,)), wg.Input((3,))
    >>> h = wg.layers.Concatenate()([wg.layers.Dense(8, activation="relu")(a), b])
    >>> model = wg.Model([a, b], wg.layers.Dense(2, activation="softmax")(h))
    >>> [tuple(s) for s in model.output_shapes]
    [(None, 2)]
    """

    def __init__(self, inputs: Any = None, outputs: Any = None, name: str | None = None, **kwargs: Any):
        super().__init__(name=name, **kwargs)
        training.TrainingMixin.__init__(self)
        self._nodes: list[LayerNode] = []
        self.inputs: list[SymbolicTensor] = []
        self.outputs: list[SymbolicTensor] = []
        if inputs is not None:
            self._init_graph(_as_list(inputs), _as_list(outputs))

    # ---- graph ---------------------------------------------------------------------------------
    def _init_graph(self, inputs: list, outputs: list) -> None:
        for x in inputs:
            if not isinstance(x, SymbolicTensor) or x.history is None or not isinstance(x.history[0], InputLayer):
                raise TypeError(f"Model inputs must come from wg.Input(...), got {x!r}")
        for y in outputs:
            if not isinstance(y, SymbolicTensor) or y.history is None:
                raise TypeError(f"Model outputs must be tensors produced by layers, got {y!r}")
        self.inputs, self.outputs = inputs, outputs
        self._nodes = _call_order(inputs, outputs)
        self.n_inputs = 1 if len(inputs) == 1 else None  # type: ignore[misc]
        self.built = True

    @property
    def layers(self) -> list[Layer]:
        """The layers in call order (input layers first), each once."""
        out: list[Layer] = [x.history[0] for x in self.inputs]
        seen = {id(la) for la in out}  # a set, not `in out`: linear in deep models
        for node in self._nodes:
            if id(node.layer) not in seen:
                seen.add(id(node.layer))
                out.append(node.layer)
        return out

    def get_layer(self, name: str) -> Layer:
        """The layer called ``name``; the error lists the names there are."""
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"no layer {name!r} in model {self.name!r}; layers: {[la.name for la in self.layers]}")

    @property
    def input_shapes(self) -> list[tuple]:
        return [x.shape for x in self.inputs]

    @property
    def output_shapes(self) -> list[tuple]:
        return [y.shape for y in self.outputs]

    @property
    def weights(self) -> list:  # type: ignore[override]
        return [w for layer in self.layers for w in layer.weights]

    @property
    def trainable_weights(self) -> list:  # type: ignore[override]
        return [w for layer in self.layers for w in layer.trainable_weights] if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:  # type: ignore[override]
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    def call(self, inputs: Any, training: bool = False) -> Any:
        xs = _as_list(inputs)
        if len(xs) != len(self.inputs):
            raise ValueError(f"model {self.name!r} takes {len(self.inputs)} inputs, got {len(xs)}")
        values: dict[int, Any] = {id(s): x for s, x in zip(self.inputs, xs, strict=True)}
        for node in self._nodes:
            args = [values[id(s)] for s in node.inputs]
            with name_scope(node.layer.name):
                out = node.layer.call(args if node.layer.n_inputs is None else args[0], training=training)
            for s, o in zip(node.outputs, _as_list(out), strict=True):
                values[id(s)] = o
        outs = [values[id(s)] for s in self.outputs]
        return outs[0] if len(outs) == 1 else outs

    def _ensure_built(self, inputs: Any) -> None:
        if not self.built:
            raise ValueError(f"model {self.name!r} has no inputs yet")

    def training_spec(self, loss: Any = None, optimizer: Any = None) -> loss_tracing.TrainingSpec:
        """The loss and optimizer a trainable export writes (``wg.export(..., trainable=True)``): the
        given ones, else the compiled ones; see ``webgrad.loss_tracing``."""
        return loss_tracing.training_spec(self, loss, optimizer)

    # ---- config --------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        node_ids: dict[int, int] = {}
        nodes = []
        for x in self.inputs:
            layer = x.history[0]
            node_ids[id(x)] = len(nodes)
            nodes.append({"layer": layer.name, "args": []})
        for node in self._nodes:
            args = []
            for s in node.inputs:
                producer = s.history[0]
                if isinstance(producer, InputLayer):
                    args.append([node_ids[id(s)], 0])
                else:
                    args.append([node_ids[id(producer.inbound_nodes[s.history[1]])], s.history[2]])
            node_ids[id(node)] = len(nodes)
            nodes.append({"layer": node.layer.name, "args": args})
        out_refs = []
        for y in self.outputs:
            producer = y.history[0]
            out_refs.append([node_ids[id(producer.inbound_nodes[y.history[1]])], y.history[2]])
        return {
            "name": self.name,
            "layers": [{"class_name": type(la).__name__, "config": la.get_config()} for la in self.layers],
            "nodes": nodes,
            "inputs": [node_ids[id(x)] for x in self.inputs],
            "outputs": out_refs,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Model:
        """Rebuilds a functional model (new weights) from ``get_config()``."""
        layers = {}
        for spec in config["layers"]:
            layers[spec["config"]["name"]] = _layer_from_spec(spec)
        produced: list[list[Any]] = []
        for node in config["nodes"]:
            layer = layers[node["layer"]]
            if isinstance(layer, InputLayer):
                produced.append([layer.output])
                continue
            args = [produced[i][j] for i, j in node["args"]]
            out = layer(args if layer.n_inputs is None else args[0])
            produced.append(_as_list(out))
        inputs = [produced[i][0] for i in config["inputs"]]
        outputs = [produced[i][j] for i, j in config["outputs"]]
        return Model(inputs, outputs if len(outputs) > 1 else outputs[0], name=config["name"])

    def summary(self, print_fn: Any = print) -> str:
        """Prints (and returns) a table of layers, output shapes and parameter counts."""
        text = summarize(self)
        if print_fn is not None:
            print_fn(text)
        return text


def _layer_from_spec(spec: dict[str, Any]) -> Layer:
    cls_name = spec["class_name"]
    if cls_name in ("Sequential", "Model"):
        return model_from_config(spec)
    return get_layer_class(cls_name).from_config(dict(spec["config"]))


class Sequential(Model):
    """A stack of single-input layers. Start it with ``wg.layers.Input(shape)``, or it builds from the
    first data it sees.

    >>> import webgrad as wg
    >>> m = wg.Sequential([wg.layers.Input((4,)), wg.layers.Dense(3)])
    >>> m.output_shapes
    [(None, 3)]
    """

    def __init__(self, layers: list | None = None, name: str | None = None, **kwargs: Any):
        super().__init__(name=name, **kwargs)
        self._stack: list[Layer] = []
        self._input: SymbolicTensor | None = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer: Any) -> None:
        """Appends a layer (or, first, an ``Input``) and re-wires the stack."""
        if isinstance(layer, SymbolicTensor):
            if self._input is not None or self._stack:
                raise ValueError("an Input can only be the first entry of a Sequential model")
            self._input = layer
            return
        if isinstance(layer, InputLayer):
            self.add(layer.output)
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential takes layers, got {layer!r}")
        if layer.n_inputs != 1:
            raise TypeError(f"layer {layer.name!r} ({type(layer).__name__}) takes several inputs; "
                            "use the functional API (wg.Model) for it")
        self._stack.append(layer)
        if self._input is None:
            return
        if not self.built:
            self._init_graph([self._input], [layer(self._input)])
            return
        y = layer(self.outputs[0])
        self._nodes.append(layer.inbound_nodes[-1])  # extends the chain: no re-walk, so n adds stay linear
        self.outputs = [y]

    def _ensure_built(self, inputs: Any) -> None:
        if self.built:
            return
        if not self._stack:
            raise ValueError(f"Sequential model {self.name!r} has no layers")
        xs = _as_list(inputs)
        if len(xs) != 1:
            raise ValueError(f"Sequential model {self.name!r} takes one input, got {len(xs)}")
        x = xs[0]
        shape = tuple(np.shape(x) if not isinstance(x, SymbolicTensor | Tensor) else x.shape)
        dtype = str(getattr(x, "dtype", "float32"))
        self._input = InputLayer(tuple(shape[1:]), dtype="int32" if "int" in dtype else "float32").output
        y = self._input
        for layer in self._stack:
            y = layer(y)
        self._init_graph([self._input], [y])

    def build(self, input_shape: tuple) -> None:
        """Builds for inputs of ``input_shape`` (with the batch dim, e.g. ``(None, 784)``)."""
        self._ensure_built(SymbolicTensor(input_shape))

    @property
    def layers(self) -> list[Layer]:
        return list(self._stack)

    def get_config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {
            "name": self.name,
            "layers": [{"class_name": type(la).__name__, "config": la.get_config()} for la in self._stack],
        }
        if self._input is not None:
            cfg["input"] = {"shape": list(self._input.shape[1:]), "dtype": self._input.dtype}
        return cfg

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Sequential:
        """Rebuilds the stack (new weights) from ``get_config()``."""
        model = cls(name=config["name"])
        if "input" in config:
            model.add(Input(tuple(config["input"]["shape"]), dtype=config["input"]["dtype"]))
        for spec in config["layers"]:
            model.add(_layer_from_spec(spec))
        return model


def model_from_config(spec: dict[str, Any]) -> Model:
    """Rebuilds a model from ``{"class_name": ..., "config": model.get_config()}``.

    >>> import webgrad as wg
    >>> m = wg.Sequential([wg.layers.Input((4,)), wg.layers.Dense(3)])
    >>> m2 = wg.models.model_from_config({"class_name": "Sequential", "config": m.get_config()})
    >>> m2.count_params() == m.count_params()
    True
    """
    cls = {"Sequential": Sequential, "Model": Model}.get(spec["class_name"])
    if cls is None:
        raise ValueError(f"unknown model class {spec['class_name']!r}; valid: Model, Sequential")
    return cls.from_config(spec["config"])


__all__ = ["IncompatibleShapesError", "Model", "Sequential", "model_from_config"]
