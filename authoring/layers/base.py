"""The layer lifecycle, as in Keras 3: ``__init__`` (config only) → ``build(input_shape)`` (weights,
called once on the first call) → ``call(inputs[, training][, mask])`` (op-set ops only) →
``get_config`` / ``from_config``.

A layer called on symbolic tensors (``wg.Input``) outside any other layer's call becomes a node of a
functional graph (shapes come from the ops' shape rules). Called on arrays it computes eagerly; numpy
float inputs are cast to the layer's dtype (float32) and integers to int32, as Keras does on JAX.

What a layer owns is tracked as in Keras: weights made by ``add_weight`` and the layers and weights
assigned to its attributes (also in lists, tuples and dicts; see ``tracking``) are in ``weights``,
``trainable_weights`` (what ``fit`` updates) and ``get_weights``; ``trainable = False`` freezes them
all. ``training`` given to a call reaches the layers called inside it (see ``call_context``).

>>> import numpy as np, webgrad as wg
>>> class Block(wg.layers.Layer):
...     def __init__(self, units, **kwargs):
...         super().__init__(**kwargs)
...         self.dense = wg.layers.Dense(units, activation="relu")
...         self.dropout = wg.layers.Dropout(0.5)
...     def call(self, x, training=None):
...         return self.dropout(self.dense(x))  # training reaches the Dropout
>>> block = Block(4)
>>> block(np.ones((2, 3))).shape, [w.name.split("/")[1] for w in block.trainable_weights]
((2, 4), ['kernel', 'bias'])
"""

from __future__ import annotations

import functools
import inspect
import json
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

import webgrad.layers.call_context as call_context
import webgrad.layers.tracking as tracking
from webgrad import initializers, regularizers, serialization
from webgrad import random as wg_random
from webgrad import raw_ops as ops
from webgrad.raw_ops import ShapeError, name_scope
from webgrad.tensor import SymbolicTensor, Tensor, Variable

_name_counts: dict[str, int] = defaultdict(int)
#: layer classes by class name: webgrad's own, and classes defined in this process (a user class never
#: replaces a webgrad one of the same name; it is found through the registry or custom_objects)
LAYER_CLASSES: dict[str, type[Layer]] = {}


class IncompatibleShapesError(ValueError):
    """A layer was connected to an input whose shape it cannot take."""


class LayerNotCalledError(ValueError, AttributeError):
    """``layer.input`` / ``layer.output`` asked of a layer never called, or called several times."""


def _snake(name: str) -> str:
    """``MaxPooling2D`` -> ``max_pooling2d`` (digits stay attached, as in Keras)."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def unique_name(base: str) -> str:
    """``dense``, ``dense_1``, ``dense_2``… within this process."""
    n = _name_counts[base]
    _name_counts[base] += 1
    return base if n == 0 else f"{base}_{n}"


def clear_session() -> None:
    """Restarts automatic layer naming (``dense``, ``dense_1``…)."""
    _name_counts.clear()


def map_structure(fn: Callable[[Any], Any], x: Any) -> Any:
    """``fn`` applied to every leaf of nested lists, tuples and dicts (the structure kept)."""
    if isinstance(x, list):
        return [map_structure(fn, v) for v in x]
    if isinstance(x, tuple):
        return tuple(map_structure(fn, v) for v in x)
    if isinstance(x, dict):
        return {k: map_structure(fn, v) for k, v in x.items()}
    return fn(x)


def flatten(x: Any) -> list[Any]:
    """The leaves of nested lists, tuples and dicts, in order."""
    out: list[Any] = []
    map_structure(out.append, x)
    return out


def _is_numbers(x: Any) -> bool:
    """A (nested) Python list of numbers: data, not a list of inputs."""
    return isinstance(x, list | tuple) and bool(x) and all(
        isinstance(v, bool | int | float | np.number) for v in flatten(x))


class LayerNode:
    """One call of a layer in a functional graph: its symbolic inputs (flat), outputs (flat), and the
    call's arguments with symbolic tensors in them (to replay the call on values)."""

    __slots__ = ("args", "inputs", "kwargs", "layer", "outputs")

    def __init__(self, layer: Layer, inputs: list[SymbolicTensor], outputs: list[SymbolicTensor],
                 args: tuple | None = None, kwargs: dict[str, Any] | None = None):
        self.layer = layer
        self.inputs = inputs
        self.outputs = outputs
        self.args = args if args is not None else ((inputs if layer.n_inputs is None else inputs[0]),)
        self.kwargs = kwargs or {}

    def call_args(self, values: dict[int, Any]) -> tuple[tuple, dict[str, Any]]:
        """The call's arguments with each symbolic tensor replaced by ``values[id(tensor)]``."""
        def sub(t: Any) -> Any:
            return values[id(t)] if isinstance(t, SymbolicTensor) else t

        return map_structure(sub, self.args), map_structure(sub, self.kwargs)


def _describe_source(x: Any) -> str:
    h = getattr(x, "history", None)
    if h is None:
        return "an input"
    layer = h[0]
    return f"layer {layer.name!r} ({type(layer).__name__})"


def _wrap_build(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A class's ``build``: run outside any call context (a layer built inside another's call makes its
    own graph if it wants one) and marks the layer built, as Keras's build wrapper does."""
    if getattr(fn, "_wg_wrapped", False):
        return fn

    @functools.wraps(fn)
    def build(self: Layer, *args: Any, **kwargs: Any) -> Any:
        with call_context.outside():
            out = fn(self, *args, **kwargs)
        self.built = True
        return out

    build._wg_wrapped = True  # type: ignore[attr-defined]
    return build


def _call_initializer(init: Any, shape: tuple, dtype: str) -> Any:
    """Calls ``init`` the way it is written: webgrad's ``(shape, rng)`` or Keras's ``(shape, dtype=None)``."""
    try:
        params = inspect.signature(init).parameters
    except (TypeError, ValueError):
        params = {}  # type: ignore[assignment]
    if "rng" in params:
        return init(shape, rng=wg_random.generator())
    if "dtype" in params:
        return init(shape, dtype=dtype)
    kinds = [p.kind for p in params.values()]
    positional = [k for k in kinds if k in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    if len(positional) >= 2 or inspect.Parameter.VAR_POSITIONAL in kinds:
        return init(shape, wg_random.generator())
    return init(shape)


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


class Layer:
    """Base class of all layers. Subclasses create weights in ``build`` (``add_weight``) or assign
    sub-layers in ``__init__``, and compute in ``call``."""

    #: how many inputs ``call`` takes: 1, or None for a list of any length (Add, Concatenate); a layer
    #: defined outside webgrad with its own ``call`` takes whatever structure it is called with
    n_inputs: ClassVar[int | None] = 1
    _free_inputs: ClassVar[bool] = False
    #: whether the mask of this layer's input goes on to its output (through ``compute_mask``): True
    #: for a class that defines ``compute_mask`` (Keras's rule), or that says so; settable per layer
    supports_masking: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__module__.startswith("webgrad.")
        known = LAYER_CLASSES.get(cls.__name__)
        if own or known is None or not known.__module__.startswith("webgrad."):
            LAYER_CLASSES[cls.__name__] = cls
        if "call" in cls.__dict__:
            cls.call = call_context.wrap_call(cls.__dict__["call"])  # type: ignore[method-assign]
            if not own and "n_inputs" not in cls.__dict__:
                cls._free_inputs = True
        if "build" in cls.__dict__:
            cls.build = _wrap_build(cls.__dict__["build"])  # type: ignore[method-assign]
        if "compute_mask" in cls.__dict__ and "supports_masking" not in cls.__dict__:
            cls.supports_masking = True

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        obj = super().__new__(cls)
        # Keras's auto config: the arguments a layer defined outside webgrad was made with, so its
        # default get_config() can recreate it (when they are plain JSON values)
        if not cls.__module__.startswith("webgrad.") and cls.__init__ is not Layer.__init__:
            try:
                bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
                config = {}
                for k, p in list(inspect.signature(cls.__init__).parameters.items())[1:]:
                    if k in bound.arguments:
                        v = bound.arguments[k]
                        config.update(v) if p.kind is p.VAR_KEYWORD else config.__setitem__(k, v)
                obj.__dict__["_auto_config"] = config if _jsonable(config) else None
            except TypeError:
                obj.__dict__["_auto_config"] = None
        return obj

    def __init__(self, name: str | None = None, trainable: bool = True, dtype: str | None = "float32", *,
                 activity_regularizer: Any = None, autocast: bool = True, input_shape: Any = None,
                 input_dim: int | None = None, batch_shape: Any = None, batch_input_shape: Any = None,
                 **kwargs: Any):
        before = set(self.__dict__)
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unexpected arguments: {sorted(kwargs)}")
        self.name = name or unique_name(_snake(type(self).__name__))
        self._trainable = bool(trainable)
        self.dtype = dtype or "float32"
        self.autocast = autocast
        self.built = False
        self._trainable_variables: list[Variable] = []
        self._non_trainable_variables: list[Variable] = []
        self._weight_names: set[str] = set()
        self._losses: list[Any] = []
        self.inbound_nodes: list[LayerNode] = []
        self.input_shape: Any = None
        self.activity_regularizer = regularizers.get(activity_regularizer)
        # input_shape= / input_dim= / batch_shape= on a first layer: the Sequential holding it starts
        # with that Input (Keras's legacy form)
        self._batch_shape_arg: tuple | None = None
        if batch_input_shape is not None:
            batch_shape = batch_input_shape
        if batch_shape is not None:
            self._batch_shape_arg = tuple(batch_shape)
        elif input_dim is not None:
            self._batch_shape_arg = (None, int(input_dim))
        elif input_shape is not None:
            shape = (input_shape,) if isinstance(input_shape, int) else tuple(input_shape)
            self._batch_shape_arg = (None, *shape)
        self._untracked = frozenset(set(self.__dict__) - before) | {
            "_untracked", "_wg_call_depth", "_auto_config", "_wg_output_shape"}

    # ---- lifecycle ---------------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Creates the weights for inputs of ``input_shape`` (batch dim ``None``)."""
        self.built = True

    def call(self, inputs: Any, training: bool = False) -> Any:
        """The computation, in op-set ops (``webgrad.raw_ops``)."""
        raise NotImplementedError(f"layer {self.name!r} ({type(self).__name__}) has no call() method")

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments that recreate this layer (without weights). A layer defined outside
        webgrad with its own ``__init__`` arguments and no ``get_config`` gets the arguments it was made
        with, when they are plain values (Keras does the same)."""
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        if "_auto_config" in self.__dict__:
            auto = self.__dict__["_auto_config"]
            if auto is None:
                params = list(inspect.signature(type(self).__init__).parameters)[1:]
                raise NotImplementedError(
                    f"layer {type(self).__name__} has arguments {params} in __init__() that are not plain "
                    "values, so it must override get_config() (and from_config() for objects) to be saved")
            config = {**auto, **config}
        return config

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        """The mask of this layer's output, Keras's way: ``previous_mask`` (the mask of the first input)
        unchanged. Used only when ``supports_masking``; a layer that makes or changes masks overrides it
        (``Embedding(mask_zero=True)``: the ids that are not 0). Masks are float32 0/1 tensors
        ``[batch, steps]`` made with op-set ops, so they survive export (see ``webgrad.layers.masking``).

        >>> import numpy as np, webgrad as wg
        >>> wg.layers.Embedding(5, 2, mask_zero=True).compute_mask(np.array([[3, 1, 0]])).numpy()
        array([[1., 1., 0.]], dtype=float32)
        """
        return previous_mask

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Recreates a layer from ``get_config()``."""
        return cls(**config)

    def get_build_config(self) -> dict[str, Any] | None:
        """What ``build_from_config`` needs to build a fresh layer the same way (None before a build)."""
        if not self.built or self.input_shape is None:
            return None
        return {"input_shape": self.input_shape}

    def build_from_config(self, config: dict[str, Any]) -> None:
        """Builds for the ``input_shape`` recorded by ``get_build_config``."""
        shape = config["input_shape"]
        self._ensure_built(map_structure(lambda s: s, _shape_structure(shape, symbolic=True)))

    # ---- tracking ------------------------------------------------------------------------------
    @property
    def trainable(self) -> bool:
        """Whether ``fit`` updates this layer's weights; setting it sets it on every sub-layer too."""
        return self.__dict__.get("_trainable", True)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        self.__dict__["_trainable"] = value
        for v in self.__dict__.get("_trainable_variables", []):
            v.trainable = v.requires_grad = value
        if "_untracked" in self.__dict__:
            for layer in self._layers:
                layer.trainable = value

    @property
    def _layers(self) -> list[Layer]:
        """The direct sub-layers (assigned to attributes, also inside lists, tuples and dicts)."""
        return tracking.tracked_layers(self, Layer)

    def _flatten_layers(self, include_self: bool = True, recursive: bool = True) -> list[Layer]:
        """This layer (optionally) and its sub-layers, depth first, each once."""
        out: list[Layer] = [self] if include_self else []
        seen = {id(self)}
        stack = list(reversed(self._layers))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            if recursive:
                stack.extend(reversed(layer._layers))
        return out

    def _own_variables(self) -> list[Variable]:
        own = [*self.__dict__.get("_trainable_variables", []), *self.__dict__.get("_non_trainable_variables", [])]
        ids = {id(v) for v in own}
        for v in tracking.tracked_variables(self, Layer):
            if id(v) not in ids:
                ids.add(id(v))
                own.append(v)
        return own

    # ---- weights ------------------------------------------------------------------------------
    def add_weight(self, *args: Any, shape: Any = None, initializer: Any = None, dtype: str | None = None,
                   trainable: bool = True, autocast: bool = True, regularizer: Any = None, constraint: Any = None,
                   aggregation: str = "none", overwrite_with_gradient: bool = False,
                   name: str | None = None) -> Variable:
        """Creates a weight, as Keras's ``add_weight(shape=None, initializer=None, dtype=None,
        trainable=True, regularizer=None, constraint=None, name=None)``.

        ``initializer``: a name (``"zeros"``), an initializer object or a callable (``(shape, dtype=None)``
        as in Keras, or webgrad's ``(shape, rng)``); default ``"glorot_uniform"`` for floats, ``"zeros"``
        otherwise. ``name`` is optional (``variable``, ``variable_1``…); ``regularizer`` adds its
        penalty of this weight to ``layer.losses``. webgrad's older ``add_weight(name, shape,
        initializer, trainable)`` form still works.

        >>> import webgrad as wg
        >>> layer = wg.layers.Layer(name="demo")
        >>> w = layer.add_weight(shape=(2, 3), initializer="ones", regularizer=wg.regularizers.L2(0.5))
        >>> w.name, w.shape, float(layer.losses[0].numpy())
        ('demo/variable', (2, 3), 3.0)
        """
        if args and isinstance(args[0], str):  # webgrad's older positional form
            name, *rest = args
            args = tuple(rest)
            if len(args) > 2:
                trainable = args[2]
                args = args[:2]
        elif len(args) > 3:
            raise TypeError(f"add_weight() takes at most 3 positional arguments (shape, initializer, dtype), "
                            f"got {len(args)}")
        for _, (arg_name, current) in zip(args, [("shape", shape), ("initializer", initializer),
                                                 ("dtype", dtype)], strict=False):
            if current is not None:
                raise TypeError(f"add_weight() got {arg_name} both positionally and as a keyword")
        if args:
            shape = args[0]
        if len(args) > 1:
            initializer = args[1]
        if len(args) > 2:
            dtype = args[2]
        name = self._new_weight_name(name)
        where = f"layer {self.name!r} ({type(self).__name__}), weight {name!r}"
        if constraint is not None:
            raise NotImplementedError(f"{where}: constraint= is not supported yet")
        try:
            shape = () if shape is None else tuple(int(d) for d in shape)
        except (TypeError, ValueError):
            raise ValueError(f"{where}: shape must be a tuple of known sizes (no None), got {shape!r}") from None
        dtype = str(np.dtype(dtype or self.dtype))
        if initializer is None:
            initializer = "glorot_uniform" if "float" in dtype else "zeros"
        value = self._initial_value(initializer, shape, dtype, where)
        variable = Variable(value, f"{self.name}/{name}", trainable=bool(trainable) and self.trainable)
        variable.regularizer = regularizers.get(regularizer)
        (self._trainable_variables if trainable else self._non_trainable_variables).append(variable)
        return variable

    def add_variable(self, shape: Any, initializer: Any = None, dtype: str | None = None, trainable: bool = True,
                     autocast: bool = True, regularizer: Any = None, constraint: Any = None,
                     name: str | None = None) -> Variable:
        """Alias of ``add_weight`` (Keras's)."""
        return self.add_weight(shape=shape, initializer=initializer, dtype=dtype, trainable=trainable,
                               regularizer=regularizer, constraint=constraint, name=name)

    def _new_weight_name(self, name: str | None) -> str:
        names = self.__dict__.setdefault("_weight_names", set())
        base = name or "variable"
        name, i = base, 0
        while name in names:
            i += 1
            name = f"{base}_{i}"
        names.add(name)
        return name

    def _initial_value(self, initializer: Any, shape: tuple, dtype: str, where: str) -> np.ndarray:
        try:
            init = initializers.get(initializer)
        except Exception as e:
            raise ValueError(f"{where}: bad initializer {initializer!r}: {e}") from None
        if not callable(init):
            raise TypeError(f"{where}: initializer must be a name, an initializer object or a callable "
                            f"(shape, dtype=None) -> array, got {initializer!r}")
        try:
            value = _call_initializer(init, shape, dtype)
            array = np.asarray(value.data if isinstance(value, Tensor) else value)
        except Exception as e:
            raise ValueError(f"{where}: initializer {initializer!r} failed for shape {shape} "
                             f"({type(e).__name__}: {e})") from e
        if array.shape != shape:
            if array.ndim == 0:
                array = np.broadcast_to(array, shape)
            else:
                raise ValueError(f"{where}: initializer {initializer!r} gave shape {array.shape}, expected {shape}")
        return np.array(array, dtype=dtype)

    @property
    def weights(self) -> list[Variable]:
        """All weights: this layer's own (trainable ones first, as in Keras), then its sub-layers'."""
        out: list[Variable] = []
        seen: set[int] = set()
        for layer in self._flatten_layers():
            for v in layer._own_variables():
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def trainable_weights(self) -> list[Variable]:
        """The weights ``fit`` updates (none when the layer is frozen)."""
        return [w for w in self.weights if w.trainable] if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[Variable]:
        """The weights ``fit`` leaves alone (all of them when the layer is frozen)."""
        return [w for w in self.weights if not w.trainable] if self.trainable else self.weights

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def count_params(self) -> int:
        return int(sum(w.data.size for w in self.weights))

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weight values, in ``weights`` order."""
        return [np.array(w.data) for w in self.weights]

    def set_weights(self, values: list[Any]) -> None:
        """Sets all weights; the count and every shape must match ``get_weights()``."""
        ws = self.weights
        if len(values) != len(ws):
            raise ValueError(f"layer {self.name!r} has {len(ws)} weights, got {len(values)} values")
        for w, v in zip(ws, values, strict=True):
            w.assign(v)

    # ---- losses --------------------------------------------------------------------------------
    def add_loss(self, loss: Any) -> None:
        """Adds a scalar loss (a tensor computed with op-set ops) to ``layer.losses``; call it in
        ``call``. ``fit`` adds the sum of ``model.losses`` to the loss it minimizes."""
        for x in flatten(loss):
            if x is None or isinstance(x, str) or not hasattr(np.asarray(0) if isinstance(x, int | float) else x,
                                                              "shape"):
                raise ValueError(f"layer {self.name!r}: add_loss() takes tensors, got {x!r}")
            self.__dict__.setdefault("_losses", []).append(np.float32(x) if isinstance(x, int | float) else x)

    @property
    def losses(self) -> list[Any]:
        """The losses added during the last call (``add_loss``, activity regularizers) by this layer and
        its sub-layers, then the regularizer penalties of the trainable weights (computed now)."""
        out: list[Any] = []
        for layer in self._flatten_layers():
            out.extend(layer.__dict__.get("_losses", []))
        for w in self.trainable_weights:
            reg = getattr(w, "regularizer", None)
            if reg is not None:
                out.append(reg(w))
        return out

    def _clear_losses(self) -> None:
        for layer in self._flatten_layers():
            layer.__dict__.get("_losses", []).clear()

    def _activity_loss(self, outputs: Any) -> None:
        """The activity regularizer's penalty of an eager output, divided by the batch size (Keras's)."""
        reg = self.__dict__.get("activity_regularizer")
        if reg is None:
            return
        for o in flatten(outputs):
            if isinstance(o, SymbolicTensor) or not hasattr(o, "shape"):
                continue
            loss = reg(o)
            if len(o.shape) > 0 and o.shape[0]:
                loss = ops.Div(loss, np.float32(o.shape[0]))
            self.add_loss(loss)

    # ---- calling ------------------------------------------------------------------------------
    def _convert(self, x: Any) -> Any:
        """An eager input as Keras converts it: floats to the layer's dtype, integers to int32."""
        if (isinstance(x, list | tuple) and _is_numbers(x)) or isinstance(x, np.ndarray | np.generic | int | float):
            a = np.asarray(x)
            if a.dtype.kind == "f" and self.autocast and str(a.dtype) != self.dtype and "float" in self.dtype:
                return a.astype(self.dtype)
            if a.dtype.kind in "iu" and a.dtype != np.int32:
                return a.astype(np.int32)
            return a
        return x

    def _shape_of_inputs(self, inputs: Any) -> Any:
        def shape(x: Any) -> Any:
            if isinstance(x, SymbolicTensor):
                return tuple(x.shape)
            if hasattr(x, "shape"):
                s = tuple(x.shape)
                return (None, *s[1:]) if s else s
            return None

        s = map_structure(shape, inputs)
        return s

    def _ensure_built(self, inputs: Any) -> None:
        if self.built:
            return
        shape = self._shape_of_inputs(inputs)
        self.input_shape = list(shape) if isinstance(shape, tuple) and shape and isinstance(shape[0], tuple) \
            else shape
        params = list(inspect.signature(self.build).parameters.values())
        if not params or params[0].kind is params[0].KEYWORD_ONLY:
            self.build()  # a build() that takes no shape
        else:
            self.build(self.input_shape)
        self.built = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args:
            if "inputs" not in kwargs:
                raise TypeError(f"layer {self.name!r} ({type(self).__name__}) was called without inputs")
            args = (kwargs.pop("inputs"),)
        inputs = args[0]
        if not self._free_inputs and self.n_inputs == 1:
            if isinstance(inputs, list | tuple) and not _is_numbers(inputs):
                if len(inputs) != 1:
                    raise ValueError(f"layer {self.name!r} ({type(self).__name__}) takes one input, "
                                     f"got {len(inputs)}")
                inputs = inputs[0]
        elif not self._free_inputs and self.n_inputs is None:
            inputs = list(inputs) if isinstance(inputs, list | tuple) and not _is_numbers(inputs) else [inputs]
        flat = [x for x in flatten((inputs, args[1:], kwargs)) if isinstance(x, SymbolicTensor)]
        if not flat:
            inputs = self._convert(inputs) if not isinstance(inputs, list | tuple | dict) or _is_numbers(inputs) \
                else map_structure(self._convert, inputs)
        args = (inputs, *args[1:])
        if ("call" in self.__dict__ and "training" not in kwargs and len(args) == 1
                and call_context.current_training() is not None):
            # call replaced on this instance (export's checks, the jax backend): hand it the context's value
            kwargs["training"] = call_context.current_training()
        if flat and not call_context.in_call():
            return self._functional_call(args, kwargs, flat)
        self._ensure_built(inputs)
        with name_scope(self.name):
            out = self.call(*args, **kwargs)
        if flat:  # a step of a symbolic call: summary() of a subclassed model shows its shape
            shapes = [o.shape for o in flatten(out) if isinstance(o, SymbolicTensor)]
            self.__dict__["_wg_output_shape"] = shapes[0] if len(shapes) == 1 else shapes
        return out

    def _functional_call(self, args: tuple, kwargs: dict[str, Any], flat: list[SymbolicTensor]) -> Any:
        """A call on symbolic tensors that makes a node of a functional graph."""
        try:
            self._ensure_built(args[0])
            with name_scope(self.name):
                out = self.call(*args, **kwargs)
        except (ShapeError, ValueError) as e:
            if isinstance(e, IncompatibleShapesError):
                raise
            shapes = ", ".join(f"{tuple(x.shape)} from {_describe_source(x)}" for x in flat)
            raise IncompatibleShapesError(
                f"layer {self.name!r} ({type(self).__name__}) cannot take input {shapes}: {e}"
            ) from e

        # an identity layer (Dropout at inference) hands back its input; its output needs its own history
        def own(o: Any) -> Any:
            if isinstance(o, SymbolicTensor) and (any(o is x for x in flat) or o.history is not None):
                return SymbolicTensor(o.shape, o.dtype)
            return o

        out = map_structure(own, out)
        outs = [o for o in flatten(out) if isinstance(o, SymbolicTensor)]
        node = LayerNode(self, flat, outs, args, kwargs)
        for i, o in enumerate(outs):
            o.history = (self, len(self.inbound_nodes), i)
        self.inbound_nodes.append(node)
        return out

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Output shape for ``input_shape`` (batch ``None``), from the ops' shape rules."""
        if isinstance(input_shape, list):
            x: Any = [SymbolicTensor(s) for s in input_shape]
        else:
            x = SymbolicTensor(input_shape)
        self._ensure_built(x)
        with call_context.entered(False):
            out = self.call(x)
        return [o.shape for o in out] if isinstance(out, list | tuple) else out.shape

    # ---- connections ---------------------------------------------------------------------------
    def _node(self, index: int | None, what: str) -> LayerNode:
        nodes = self.inbound_nodes
        if index is not None:
            if not 0 <= index < len(nodes):
                raise LayerNotCalledError(f"layer {self.name!r} has {len(nodes)} inbound nodes, asked for node {index}")
            return nodes[index]
        if not nodes:
            raise LayerNotCalledError(f"layer {self.name!r} has never been called on symbolic inputs "
                                      f"(wg.Input), so it has no defined {what}")
        if len(nodes) > 1:
            raise LayerNotCalledError(
                f"layer {self.name!r} has been called {len(nodes)} times, so its {what} is ambiguous; "
                f"use layer.get_{what}_at(node_index)")
        return nodes[0]

    def get_input_at(self, node_index: int) -> Any:
        """The input of the ``node_index``-th call on symbolic tensors."""
        return self._node(node_index, "input").args[0]

    def get_output_at(self, node_index: int) -> Any:
        """The output of the ``node_index``-th call on symbolic tensors."""
        outs = self._node(node_index, "output").outputs
        return outs[0] if len(outs) == 1 else list(outs)

    @property
    def input(self) -> Any:
        """The symbolic input of this layer's one call in a functional graph."""
        return self._node(None, "input").args[0]

    @property
    def output(self) -> Any:
        """The symbolic output of this layer's one call in a functional graph (``layer.output.shape``)."""
        outs = self._node(None, "output").outputs
        return outs[0] if len(outs) == 1 else list(outs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def _shape_structure(shape: Any, symbolic: bool = False) -> Any:
    """A saved input shape (lists) as symbolic tensors: one for a shape, a list for a list of shapes."""
    if isinstance(shape, dict):
        return {k: _shape_structure(v) for k, v in shape.items()}
    if isinstance(shape, list | tuple) and shape and isinstance(shape[0], list | tuple):
        return [SymbolicTensor(tuple(s)) for s in shape]
    return SymbolicTensor(tuple(shape))


def get_layer_class(name: str, custom_objects: dict[str, Any] | None = None,
                    registered_name: str | None = None) -> type[Layer]:
    """The layer class a config names: its registered name (``@register_keras_serializable``),
    ``custom_objects``, then the classes defined in this process; the error says how to register one."""
    from_registry = serialization.get_registered_object(registered_name, custom_objects) if registered_name else None
    if from_registry is not None:
        return from_registry
    return serialization.resolve(name, None, custom_objects, LAYER_CLASSES, kind="layer")
