"""Models: the functional ``Model(inputs, outputs)`` graph of layer calls, subclassed models (a
``call`` of their own), and ``Sequential``.

Training, evaluation and prediction live in ``training.py``; ``Model`` exposes them as methods.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import webgrad.layers.call_context as call_context
import webgrad.layers.masking as masking
import webgrad.layers.tracking as tracking
from webgrad import loss_tracing, serialization, training
from webgrad.layers.base import (
    IncompatibleShapesError,
    Layer,
    LayerNode,
    LayerNotCalledError,
    _shape_structure,
    flatten,
    get_layer_class,
    map_structure,
)
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


def _flat(x: Any) -> list:
    """Model inputs/outputs flattened as Keras does: lists in order, dicts by sorted key."""
    if isinstance(x, dict):
        return [v for _, v in sorted(x.items())]
    return list(x) if isinstance(x, list | tuple) else [x]


def _pack(struct: Any, flat: list) -> Any:
    """``flat`` in the structure of ``struct`` (a tensor, a list/tuple, or a dict)."""
    if isinstance(struct, dict):
        return dict(zip(sorted(struct), flat, strict=True))
    if isinstance(struct, list | tuple) and len(flat) != 1:
        return type(struct)(flat)
    return flat[0]


class Model(Layer, training.TrainingMixin, SavingMixin):
    """A model, as in Keras 3: functional (``Model(inputs, outputs)``, a graph of layer calls from
    ``wg.Input``s; ``outputs`` may be a tensor, a list or a dict) or subclassed (layers assigned in
    ``__init__``, the computation in ``call``; built on its first call, eager or symbolic).

    >>> import webgrad as wg
    >>> a, b = wg.Input((4,)), wg.Input((3,))
    >>> h = wg.layers.Concatenate()([wg.layers.Dense(8, activation="relu")(a), b])
    >>> model = wg.Model([a, b], wg.layers.Dense(2, activation="softmax")(h))
    >>> [tuple(s) for s in model.output_shapes]
    [(None, 2)]
    >>> class Net(wg.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = wg.layers.Dense(8, activation="relu")
    ...         self.out = wg.layers.Dense(2)
    ...     def call(self, x):
    ...         return self.out(self.hidden(x))
    >>> net = Net()
    >>> net.build((None, 4)); [la.name for la in net.layers] == [net.hidden.name, net.out.name], net.count_params()
    (True, 58)
    """

    def __init__(self, *args: Any, **kwargs: Any):
        names = ("inputs", "outputs", "name")
        if len(args) > len(names):
            raise TypeError(f"Model takes at most 3 positional arguments (inputs, outputs, name), got {len(args)}")
        given = dict(zip(names, args, strict=False))
        for k in names:
            if k in kwargs:
                if k in given:
                    raise TypeError(f"Model got {k} both positionally and as a keyword")
                given[k] = kwargs.pop(k)
        inputs, outputs = given.get("inputs"), given.get("outputs")
        trainable = kwargs.pop("trainable", True)
        before = set(self.__dict__)
        super().__init__(name=given.get("name"), **kwargs)
        training.TrainingMixin.__init__(self)
        self._nodes: list[LayerNode] = []
        self.inputs: list[SymbolicTensor] = []
        self.outputs: list[SymbolicTensor] = []
        self._inputs_struct: Any = None
        self._outputs_struct: Any = None
        self._free_inputs = True  # type: ignore[misc]  # call() takes a tensor, a list or a dict
        self._untracked = self._untracked | (set(self.__dict__) - before)
        if inputs is not None:
            if outputs is None:
                raise TypeError("Model(inputs, outputs): outputs missing")
            self._init_graph(inputs, outputs)
        elif outputs is not None:
            raise TypeError("Model(inputs, outputs): inputs missing")
        if not trainable:
            self.trainable = False

    # ---- graph ---------------------------------------------------------------------------------
    def _init_graph(self, inputs: Any, outputs: Any) -> None:
        flat_in, flat_out = _flat(inputs), _flat(outputs)
        for x in flat_in:
            if not isinstance(x, SymbolicTensor) or x.history is None or not isinstance(x.history[0], InputLayer):
                raise TypeError(f"Model inputs must come from wg.Input(...), got {x!r}")
        for y in flat_out:
            if not isinstance(y, SymbolicTensor) or y.history is None:
                raise TypeError(f"Model outputs must be tensors produced by layers, got {y!r}")
        self.inputs, self.outputs = flat_in, flat_out
        self._inputs_struct, self._outputs_struct = inputs, outputs
        self._nodes = _call_order(flat_in, flat_out)
        self.n_inputs = 1 if len(flat_in) == 1 else None  # type: ignore[misc]
        self.built = True

    def _subclassed(self) -> bool:
        """A model whose computation is its own ``call`` (not a graph of layer calls)."""
        return type(self).call is not Model.call

    def _graph_layers(self) -> list[Layer]:
        if not self.inputs or self._subclassed():
            return []
        out: list[Layer] = [x.history[0] for x in self.inputs]
        seen = {id(la) for la in out}  # a set, not `in out`: linear in deep models
        for node in self._nodes:
            if id(node.layer) not in seen:
                seen.add(id(node.layer))
                out.append(node.layer)
        return out

    @property
    def _layers(self) -> list[Layer]:
        """The layers of the graph, then the layers assigned to attributes (each once)."""
        out = self._graph_layers()
        seen = {id(la) for la in out}
        for la in tracking.tracked_layers(self, Layer):
            if id(la) not in seen:
                seen.add(id(la))
                out.append(la)
        return out

    @property
    def layers(self) -> list[Layer]:
        """The layers: of the graph in call order (input layers first), or for a subclassed model the
        layers assigned to its attributes; each once."""
        graph = self._graph_layers()
        if graph:
            return graph
        return self._flatten_layers(include_self=False, recursive=False)

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer called ``name`` (or at ``index`` in ``layers``); the error lists the names there are."""
        layers = self.layers
        if index is not None:
            if name is not None:
                raise ValueError(f"get_layer: give a name or an index, not both (name={name!r}, index={index})")
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"get_layer: index {index} is out of range: model {self.name!r} has "
                                 f"{len(layers)} layers")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"no layer {name!r} in model {self.name!r}; layers: {[la.name for la in layers]}")

    @property
    def input_shapes(self) -> list[tuple]:
        return [x.shape for x in self.inputs]

    @property
    def output_shapes(self) -> list[tuple]:
        return [y.shape for y in self.outputs]

    @property
    def output_names(self) -> list[str]:
        """One name per entry of ``outputs``: the keys of dict outputs (sorted, as ``outputs`` is), else
        the names of the layers that make them."""
        if isinstance(self._outputs_struct, dict):
            return sorted(self._outputs_struct)
        return [y.history[0].name for y in self.outputs]

    @property
    def input(self) -> Any:
        """The model's inputs as given (a tensor, a list or a dict)."""
        if not self.inputs:
            raise LayerNotCalledError(f"model {self.name!r} has no inputs yet: call it on data (or build it) first")
        return self._inputs_struct

    @property
    def output(self) -> Any:
        """The model's outputs as given (a tensor, a list or a dict)."""
        if not self.outputs:
            raise LayerNotCalledError(f"model {self.name!r} has no outputs yet: call it on data (or build it) first")
        return self._outputs_struct

    def _flatten_inputs(self, inputs: Any) -> list:
        if isinstance(inputs, dict):
            if isinstance(self._inputs_struct, dict):
                missing = sorted(set(self._inputs_struct) - set(inputs))
                keys = sorted(self._inputs_struct)
            else:
                keys = [x.history[0].name for x in self.inputs]
                missing = [k for k in keys if k not in inputs]
            if missing:
                raise ValueError(f"model {self.name!r}: inputs {missing} missing; got {sorted(inputs)}")
            return [inputs[k] for k in keys]
        return list(inputs) if isinstance(inputs, list | tuple) else [inputs]

    def _flat_outputs(self, outputs: Any) -> list:
        """The model's output value(s) (a tensor, list or dict as ``call`` returns) as a list in
        ``outputs`` / ``output_names`` order."""
        return _flat(outputs)

    def call(self, inputs: Any, training: bool | None = None, mask: Any = None) -> Any:
        """Runs the graph's layer calls on ``inputs`` (a tensor, a list in ``inputs`` order, or a dict)."""
        if not self.inputs:
            raise NotImplementedError(
                f"model {self.name!r} ({type(self).__name__}) has no graph and no call(): build it as "
                "wg.Model(inputs, outputs), or subclass wg.Model and define call()")
        xs = self._flatten_inputs(inputs)
        if len(xs) != len(self.inputs):
            raise ValueError(f"model {self.name!r} takes {len(self.inputs)} inputs, got {len(xs)}")
        values: dict[int, Any] = {id(s): x for s, x in zip(self.inputs, xs, strict=True)}
        # the Keras masks of the graph's tensors (by symbolic tensor), carried from call to call
        masks: dict[int, Any] = {} if mask is None else {
            id(s): masking.as_float_mask(m) for s, m in zip(self.inputs, _as_list(mask), strict=True)
            if m is not None}
        for node in self._nodes:
            args, kwargs = node.call_args(values)
            kwargs.setdefault("training", training)
            give, previous = masking.node_masks(node, masks)
            if kwargs.get("mask") is not None:  # a mask given in the call itself (Keras's case 1)
                previous = kwargs["mask"]
            with name_scope(node.layer.name), call_context.giving(node.layer, give):
                out = node.layer.call(*args, **kwargs)
            for s, o in zip(node.outputs, [o for o in flatten(out) if not isinstance(o, str)], strict=True):
                values[id(s)] = o
            if node.layer.supports_masking:
                with name_scope(node.layer.name):
                    masking.output_masks(node, args[0] if args else None, previous, masks)
        outs = [values[id(s)] for s in self.outputs]
        return _pack(self._outputs_struct, outs)

    def _ensure_built(self, inputs: Any) -> None:
        if self.built and (self.inputs or not self._subclassed()):
            return
        if not self._subclassed():
            raise ValueError(
                f"model {self.name!r} has no inputs: create it as wg.Model(inputs=wg.Input(shape), outputs=...), "
                "or subclass wg.Model and define call()")
        self._build_subclassed(inputs)

    def build(self, input_shape: Any = None) -> None:
        """Builds a subclassed model for inputs of ``input_shape`` (with the batch dim, e.g. ``(None, 784)``;
        a list or dict of shapes for several inputs) by calling it on symbolic inputs."""
        if self.inputs:
            return
        if input_shape is None:
            raise ValueError(f"model {self.name!r}: build() needs an input_shape, e.g. (None, 784)")
        self._ensure_built(_shape_structure(input_shape))

    def _build_subclassed(self, inputs: Any) -> None:
        """Gives a subclassed model symbolic ``inputs`` (from the data's shapes and dtypes) and
        ``outputs`` (its ``call`` run on them), which fit, summary and export use."""
        def entry(x: Any, name: str | None = None) -> SymbolicTensor:
            if not hasattr(x, "shape"):
                x = np.asarray(x)
            dtype = "int32" if "int" in str(x.dtype) else "float32"
            return InputLayer(tuple(x.shape)[1:], dtype=dtype, name=name).output

        if isinstance(inputs, dict):  # inputs named by their keys, as fit's dict inputs are looked up
            sym: Any = {k: entry(v, str(k)) for k, v in inputs.items()}
        else:
            sym = map_structure(entry, inputs)
        self.input_shape = map_structure(lambda t: t.shape, sym)
        if type(self).build is not Model.build:  # the model's own build() (weights of its own)
            self.__class__.build(self, self.input_shape)
        with call_context.outside(), call_context.entered(False):
            out = self.call(sym)
        flat_out = _flat(out)
        for o in flat_out:
            if not isinstance(o, SymbolicTensor):
                raise TypeError(f"model {self.name!r}: call() returned {o!r} on symbolic inputs; compute with "
                                "webgrad layers and webgrad.ops / webgrad.raw_ops only")
        for i, o in enumerate(flat_out):
            if o.history is None or not isinstance(o.history[0], InputLayer):
                o.history = (self, 0, i)
        self.inputs, self._inputs_struct = _flat(sym), sym
        self.outputs, self._outputs_struct = flat_out, out
        self.n_inputs = 1 if len(self.inputs) == 1 else None  # type: ignore[misc]
        self.built = True
        self._clear_losses()  # those of the symbolic call

    def training_spec(self, loss: Any = None, optimizer: Any = None) -> loss_tracing.TrainingSpec:
        """The loss and optimizer a trainable export writes (``wg.export(..., trainable=True)``): the
        given ones, else the compiled ones; see ``webgrad.loss_tracing``."""
        return loss_tracing.training_spec(self, loss, optimizer)

    # ---- config --------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        if self._subclassed() or not self.inputs:
            return Layer.get_config(self)
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
            spec: dict[str, Any] = {"layer": node.layer.name, "args": args}
            if node.layer._free_inputs and isinstance(node.args[0], list | tuple):
                spec["list"] = True  # a custom layer called on a list: replayed with a list
            nodes.append(spec)
        out_refs = []
        for y in self.outputs:
            producer = y.history[0]
            out_refs.append([node_ids[id(producer.inbound_nodes[y.history[1]])], y.history[2]])
        config: dict[str, Any] = {
            "name": self.name,
            "layers": [layer_spec(la) for la in self.layers],
            "nodes": nodes,
            "inputs": [node_ids[id(x)] for x in self.inputs],
            "outputs": out_refs,
        }
        if isinstance(self._outputs_struct, dict):
            config["output_keys"] = sorted(self._outputs_struct)
        if not self.trainable:
            config["trainable"] = False
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Model:
        """Rebuilds a model (new weights) from ``get_config()``; custom layers are found through
        ``@wg.saving.register_keras_serializable`` or ``custom_objects``."""
        if "nodes" not in config:  # a subclassed model: its constructor arguments
            with serialization.CustomObjectScope(custom_objects):
                return cls(**config)
        with serialization.CustomObjectScope(custom_objects):
            layers = {}
            for spec in config["layers"]:
                layers[spec["config"]["name"]] = _layer_from_spec(spec, custom_objects)
            produced: list[list[Any]] = []
            for node in config["nodes"]:
                layer = layers[node["layer"]]
                if isinstance(layer, InputLayer):
                    produced.append([layer.output])
                    continue
                args = [produced[i][j] for i, j in node["args"]]
                one = layer.n_inputs == 1 and not node.get("list")
                out = layer(args[0] if one else args)
                produced.append([o for o in flatten(out)])
        inputs = [produced[i][0] for i in config["inputs"]]
        outputs: Any = [produced[i][j] for i, j in config["outputs"]]
        if "output_keys" in config:
            outputs = dict(zip(config["output_keys"], outputs, strict=True))
        elif len(outputs) == 1:
            outputs = outputs[0]
        model = (cls if cls is not Sequential and not issubclass(cls, Sequential) else Model)(
            inputs, outputs, name=config["name"])
        if config.get("trainable") is False:
            model.trainable = False
        return model

    def summary(self, print_fn: Any = print) -> str:
        """Prints (and returns) a table of layers, output shapes and parameter counts."""
        text = summarize(self)
        if print_fn is not None:
            print_fn(text)
        return text


def layer_spec(layer: Layer) -> dict[str, Any]:
    """``{"class_name", "config"[, "registered_name"]}`` of a layer (the registered name of a class
    decorated with ``register_keras_serializable``)."""
    spec: dict[str, Any] = {"class_name": type(layer).__name__, "config": layer.get_config()}
    registered = serialization.get_registered_name(type(layer))
    if registered != type(layer).__name__:
        spec["registered_name"] = registered
    return spec


def _layer_from_spec(spec: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Layer:
    cls_name = spec["class_name"]
    if cls_name in ("Sequential", "Model", "Functional") and "registered_name" not in spec:
        return model_from_config(spec, custom_objects)
    cls = get_layer_class(cls_name, custom_objects, spec.get("registered_name"))
    if isinstance(cls, type) and issubclass(cls, Model):
        return cls.from_config(dict(spec["config"]), custom_objects=custom_objects)
    return cls.from_config(dict(spec["config"]))


class Sequential(Model):
    """A stack of single-input layers. Start it with ``wg.layers.Input(shape)`` (or give the first layer
    ``input_shape=``), or it builds from the first data it sees.

    >>> import webgrad as wg
    >>> m = wg.Sequential([wg.layers.Input((4,)), wg.layers.Dense(3)])
    >>> m.output_shapes
    [(None, 3)]
    >>> m2 = wg.Sequential([wg.layers.Dense(8, input_shape=(4,)), wg.layers.Dense(2)])
    >>> m2.built, m2.pop().units, m2.output_shapes
    (True, 2, [(None, 8)])
    """

    def __init__(self, layers: list | None = None, name: str | None = None, **kwargs: Any):
        super().__init__(name=name, **kwargs)
        before = set(self.__dict__)
        self._stack: list[Layer] = []
        self._input: SymbolicTensor | None = None
        self._untracked = self._untracked | (set(self.__dict__) - before)
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
        if layer.n_inputs is None and not layer._free_inputs:
            raise TypeError(f"layer {layer.name!r} ({type(layer).__name__}) takes several inputs; "
                            "use the functional API (wg.Model) for it")
        if self._input is None and not self._stack and layer._batch_shape_arg is not None:
            # Keras's legacy Dense(8, input_shape=(4,)) as the first layer: the model starts with that Input
            self.add(Input(batch_shape=layer._batch_shape_arg, dtype=layer.dtype))
        self._stack.append(layer)
        if self._input is None:
            return
        if not self.built or not self._nodes:
            self._init_graph(self._input, layer(self._input))
            return
        y = layer(self.outputs[0])
        self._nodes.append(layer.inbound_nodes[-1])  # extends the chain: no re-walk, so n adds stay linear
        self.outputs, self._outputs_struct = [y], y

    def pop(self) -> Layer:
        """Removes the last layer and returns it; the model's output becomes the previous layer's."""
        if not self._stack:
            raise ValueError(f"Sequential model {self.name!r} has no layers to pop")
        layer = self._stack.pop()
        if self._nodes:
            self._nodes.pop()
            if self._nodes:
                self.outputs = list(self._nodes[-1].outputs)
                self._outputs_struct = self.outputs[0]
            else:
                self.outputs, self._outputs_struct, self.built = [], None, False
        return layer

    def _ensure_built(self, inputs: Any) -> None:
        if self.built and self._nodes:
            return
        if not self._stack:
            raise ValueError(f"Sequential model {self.name!r} has no layers")
        xs = _as_list(inputs)
        if len(xs) != 1:
            raise ValueError(f"Sequential model {self.name!r} takes one input, got {len(xs)}")
        x = xs[0]
        if self._input is None:
            shape = tuple(np.shape(x) if not isinstance(x, SymbolicTensor | Tensor) else x.shape)
            dtype = str(getattr(x, "dtype", "float32"))
            kind = "string" if getattr(getattr(x, "dtype", None), "kind", "") in "OU" else \
                "int32" if "int" in dtype else "float32"  # texts build a string Input (TextVectorization first)
            self._input = InputLayer(tuple(shape[1:]), dtype=kind).output
        y = self._input
        for layer in self._stack:
            y = layer(y)
        self._init_graph(self._input, y)

    def build(self, input_shape: Any = None) -> None:
        """Builds for inputs of ``input_shape`` (with the batch dim, e.g. ``(None, 784)``)."""
        if input_shape is None:
            if self._input is None:
                raise ValueError(f"Sequential model {self.name!r}: build() needs an input_shape, e.g. (None, 784)")
            input_shape = self._input.shape
        self._ensure_built(SymbolicTensor(tuple(input_shape)))

    def _subclassed(self) -> bool:
        return False

    def _graph_layers(self) -> list[Layer]:
        return list(self.__dict__.get("_stack", []))

    @property
    def layers(self) -> list[Layer]:
        return list(self._stack)

    def get_config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {
            "name": self.name,
            "layers": [layer_spec(la) for la in self._stack],
        }
        if self._input is not None:
            cfg["input"] = {"shape": list(self._input.shape[1:]), "dtype": self._input.dtype}
        if not self.trainable:
            cfg["trainable"] = False
        return cfg

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Sequential:
        """Rebuilds the stack (new weights) from ``get_config()``."""
        model = cls(name=config["name"])
        if "input" in config:
            model.add(Input(tuple(config["input"]["shape"]), dtype=config["input"]["dtype"]))
        with serialization.CustomObjectScope(custom_objects):
            for spec in config["layers"]:
                model.add(_layer_from_spec(spec, custom_objects))
        if config.get("trainable") is False:
            model.trainable = False
        return model


def model_from_config(spec: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Model:
    """Rebuilds a model from ``{"class_name": ..., "config": model.get_config()}``; custom layers and
    models are found through ``@wg.saving.register_keras_serializable`` or ``custom_objects``.

    >>> import webgrad as wg
    >>> m = wg.Sequential([wg.layers.Input((4,)), wg.layers.Dense(3)])
    >>> m2 = wg.models.model_from_config({"class_name": "Sequential", "config": m.get_config()})
    >>> m2.count_params() == m.count_params()
    True
    """
    name = spec["class_name"]
    cls: Any = {"Sequential": Sequential, "Model": Model, "Functional": Model}.get(name)
    if cls is None or "registered_name" in spec:
        cls = get_layer_class(name, custom_objects, spec.get("registered_name"))
        if not (isinstance(cls, type) and issubclass(cls, Model)):
            raise ValueError(f"{name!r} is a layer, not a model; model_from_config rebuilds models")
    return cls.from_config(spec["config"], custom_objects=custom_objects)


__all__ = ["IncompatibleShapesError", "Model", "Sequential", "model_from_config"]
