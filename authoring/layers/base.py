"""The layer lifecycle: ``__init__`` (config only) → ``build(input_shape)`` (weights) → ``call(inputs)``
(op-set ops only) → ``get_config`` / ``from_config``.

A layer called on symbolic tensors (``wg.Input``) runs ``call`` through the ops' shape rules; that is
how functional models are wired and shapes inferred. Called on arrays it computes eagerly.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, ClassVar

import numpy as np

from webgrad import initializers
from webgrad import random as wg_random
from webgrad.raw_ops import ShapeError
from webgrad.tensor import SymbolicTensor, Tensor, Variable

_name_counts: dict[str, int] = defaultdict(int)
LAYER_CLASSES: dict[str, type[Layer]] = {}


class IncompatibleShapesError(ValueError):
    """A layer was connected to an input whose shape it cannot take."""


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


class LayerNode:
    """One call of a layer in a functional graph."""

    __slots__ = ("inputs", "layer", "outputs")

    def __init__(self, layer: Layer, inputs: list[SymbolicTensor], outputs: list[SymbolicTensor]):
        self.layer = layer
        self.inputs = inputs
        self.outputs = outputs


def _describe_source(x: Any) -> str:
    h = getattr(x, "history", None)
    if h is None:
        return "an input"
    layer = h[0]
    return f"layer {layer.name!r} ({type(layer).__name__})"


class Layer:
    """Base class of all layers. Subclasses set weights in ``build`` and compute in ``call``."""

    #: how many inputs ``call`` takes: 1, or None for a list of any length (Add, Concatenate)
    n_inputs: ClassVar[int | None] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        LAYER_CLASSES[cls.__name__] = cls

    def __init__(self, name: str | None = None, trainable: bool = True, dtype: str = "float32", **kwargs: Any):
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unexpected arguments: {sorted(kwargs)}")
        self.name = name or unique_name(_snake(type(self).__name__))
        self.trainable = trainable
        self.dtype = dtype
        self.built = False
        self._weights: list[Variable] = []
        self.inbound_nodes: list[LayerNode] = []
        self.input_shape: Any = None

    # ---- lifecycle ---------------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Creates the weights for inputs of ``input_shape`` (batch dim ``None``)."""
        self.built = True

    def call(self, inputs: Any, training: bool = False) -> Any:
        """The computation, in op-set ops (``webgrad.raw_ops``)."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments that recreate this layer (without weights)."""
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Recreates a layer from ``get_config()``."""
        return cls(**config)

    # ---- weights ------------------------------------------------------------------------------
    def add_weight(
        self, name: str, shape: tuple, initializer: Any = "zeros", trainable: bool = True
    ) -> Variable:
        """Creates a weight drawn from ``initializer`` with the process-wide seeded generator."""
        value = initializers.get(initializer)(tuple(int(s) for s in shape), wg_random.generator())
        v = Variable(value, f"{self.name}/{name}", trainable=trainable and self.trainable)
        self._weights.append(v)
        return v

    @property
    def weights(self) -> list[Variable]:
        return list(self._weights)

    @property
    def trainable_weights(self) -> list[Variable]:
        return [w for w in self._weights if w.trainable] if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[Variable]:
        return [w for w in self._weights if not w.trainable or not self.trainable]

    def count_params(self) -> int:
        return int(sum(w.data.size for w in self.weights))

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weight values, in creation order."""
        return [np.array(w.data) for w in self.weights]

    def set_weights(self, values: list[Any]) -> None:
        """Sets all weights; the count and every shape must match ``get_weights()``."""
        ws = self.weights
        if len(values) != len(ws):
            raise ValueError(f"layer {self.name!r} has {len(ws)} weights, got {len(values)} values")
        for w, v in zip(ws, values, strict=True):
            w.assign(v)

    # ---- calling ------------------------------------------------------------------------------
    def _ensure_built(self, inputs: Any) -> None:
        if self.built:
            return
        if isinstance(inputs, list | tuple):
            shape: Any = [tuple(x.shape) for x in inputs]
        else:
            shape = tuple(inputs.shape)
            if not isinstance(inputs, SymbolicTensor):
                shape = (None, *shape[1:])
        self.input_shape = shape
        self.build(shape)
        self.built = True

    def __call__(self, inputs: Any, training: bool = False) -> Any:
        flat = list(inputs) if isinstance(inputs, list | tuple) else [inputs]
        if self.n_inputs == 1 and len(flat) != 1:
            raise ValueError(f"layer {self.name!r} ({type(self).__name__}) takes one input, got {len(flat)}")
        if not any(isinstance(x, SymbolicTensor) for x in flat):
            flat = [x if isinstance(x, Tensor) else np.asarray(x) for x in flat]
            arg = flat if self.n_inputs is None else flat[0]
            self._ensure_built(arg)
            return self.call(arg, training=training)
        arg = flat if self.n_inputs is None else flat[0]
        try:
            self._ensure_built(arg)
            out = self.call(arg, training=False)
        except (ShapeError, ValueError) as e:
            if isinstance(e, IncompatibleShapesError):
                raise
            shapes = ", ".join(f"{tuple(x.shape)} from {_describe_source(x)}" for x in flat)
            raise IncompatibleShapesError(
                f"layer {self.name!r} ({type(self).__name__}) cannot take input {shapes}: {e}"
            ) from e
        outs = list(out) if isinstance(out, list | tuple) else [out]
        # an identity layer (Dropout at inference) hands back its input; its output needs its own history
        outs = [SymbolicTensor(o.shape, o.dtype) if any(o is x for x in flat) else o for o in outs]
        out = outs if isinstance(out, list | tuple) else outs[0]
        node = LayerNode(self, flat, outs)
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
        out = self.call(x, training=False)
        return [o.shape for o in out] if isinstance(out, list | tuple) else out.shape

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def get_layer_class(name: str) -> type[Layer]:
    """The layer class registered under ``name``; the error lists the valid names."""
    if name not in LAYER_CLASSES:
        raise ValueError(f"unknown layer {name!r}; valid: {', '.join(sorted(LAYER_CLASSES))}")
    return LAYER_CLASSES[name]
