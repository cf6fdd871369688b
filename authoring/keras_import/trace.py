"""A Keras 3 model (on its JAX backend) as a closed jaxpr with a symbolic batch dimension.

The model's inference computation, ``model.stateless_call(trainable, non_trainable, *inputs,
training=False)``, is traced once by JAX with the batch dimension left symbolic, so the graph webgrad
builds from it takes any batch size. Keras and JAX are optional extras (``pip install webgrad[keras]``):
this module is imported only by ``webgrad.keras_import``.
"""

from __future__ import annotations

import inspect
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


class KerasImportError(ValueError):
    """A Keras model or file that cannot be brought into webgrad (the message says why)."""


@dataclass
class KerasWeight:
    path: str  # Keras's variable path, e.g. "dense/kernel"
    value: np.ndarray
    trainable: bool


@dataclass
class TracedModel:
    name: str
    jaxpr: Any  # jax ClosedJaxpr: (*weights, *inputs) -> flat outputs
    weights: list[KerasWeight]
    inputs: list[tuple[str, tuple, str]]  # (name, shape without batch, dtype)
    output_names: list[str]
    output_is_dict: bool


def load_keras() -> Any:
    """``keras`` on its JAX backend, or a clear error naming the extra to install."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    try:
        import keras  # optional extra: only a Keras import needs it
    except ImportError as e:
        raise ImportError("importing a Keras model needs the keras extra: pip install 'webgrad[keras]'") from e
    if keras.backend.backend() != "jax":
        raise KerasImportError(f"Keras runs on its {keras.backend.backend()!r} backend here; webgrad imports "
                               "Keras models through JAX: set KERAS_BACKEND=jax before Keras is first imported")
    return keras


def resolve_model(model_or_path: Any, custom_objects: dict | None = None) -> Any:
    """A ``keras.Model`` from a model or a ``.keras`` file path."""
    keras = load_keras()
    if isinstance(model_or_path, str | os.PathLike):
        path = Path(model_or_path)
        if path.suffix != ".keras":
            raise KerasImportError(f"{path}: expected a Keras 3 '.keras' file")
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such Keras file")
        try:
            return keras.saving.load_model(path, custom_objects=custom_objects, compile=False)
        except TypeError as e:  # Keras cannot find a custom class the file names
            raise KerasImportError(f"{path}: Keras could not load it: {e}. A file with custom layers or models "
                                   "needs their classes: import the module that defines them (registered with "
                                   "@keras.saving.register_keras_serializable) or pass custom_objects=") from e
    if not isinstance(model_or_path, keras.Model):
        got = type(model_or_path).__name__
        raise TypeError(f"from_keras takes a keras.Model or a path to a .keras file, got {got}")
    return model_or_path


def _input_specs(model: Any, input_shape: Any) -> list[tuple[str, tuple, str]]:
    specs = []
    inputs = getattr(model, "inputs", None)
    if inputs:
        for t in inputs:
            specs.append((t.name, tuple(t.shape[1:]), str(t.dtype)))
    elif input_shape is not None:
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        specs = [(f"input_{i}" if i else "input", tuple(s), "float32") for i, s in enumerate(shapes)]
    elif getattr(model, "built", False) and getattr(model, "_build_shapes_dict", None):
        shape = next(iter(model._build_shapes_dict.values()))
        specs = [("input", tuple(shape[1:]), "float32")]
    else:
        raise KerasImportError(f"Keras model {model.name!r} has no known input shape: call it on data once, or "
                               "pass input_shape=(...) (without the batch dimension)")
    for name, shape, _ in specs:
        if any(d is None for d in shape):
            raise KerasImportError(f"input {name!r} of Keras model {model.name!r} has shape {shape}: only the batch "
                                   "dimension may be unknown")
    return specs


def trace(model: Any, input_shape: Any = None) -> TracedModel:
    """Traces ``model``'s inference step to a jaxpr (see the module docstring)."""
    import jax  # comes with the keras extra
    from jax import export as jax_export

    specs = _input_specs(model, input_shape)
    if not model.built or not model.variables:
        # one eager call builds every sub-layer (a subclassed model's build() alone may create nothing)
        zeros = [np.zeros((1, *shape), dtype) for _, shape, dtype in specs]
        model(zeros[0] if len(zeros) == 1 else zeros)
    trainable = list(model.trainable_variables)
    non_trainable = list(model.non_trainable_variables)
    weights = [KerasWeight(v.path, np.asarray(v.value), True) for v in trainable]
    weights += [KerasWeight(v.path, np.asarray(v.value), False) for v in non_trainable]
    n_train = len(trainable)
    outputs_meta: dict[str, Any] = {}
    # Keras passes training= only to a call that declares it (or takes **kwargs)
    params = inspect.signature(model.call).parameters
    call_kwargs = {"training": False} if "training" in params or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()) else {}

    def forward(*args: Any) -> list[Any]:
        tv, ntv = list(args[:n_train]), list(args[n_train:len(weights)])
        xs = args[len(weights):]
        y, _ = model.stateless_call(tv, ntv, xs[0] if len(xs) == 1 else list(xs), **call_kwargs)
        if isinstance(y, dict):
            outputs_meta["names"], outputs_meta["dict"] = list(y), True
            return [y[k] for k in y]
        ys = list(y) if isinstance(y, list | tuple) else [y]
        outputs_meta["names"], outputs_meta["dict"] = [f"output_{i}" for i in range(len(ys))], False
        return ys

    (batch,) = jax_export.symbolic_shape("b")
    avals = [jax.ShapeDtypeStruct(w.value.shape, w.value.dtype) for w in weights]
    avals += [jax.ShapeDtypeStruct((batch, *shape), np.dtype(dtype)) for _, shape, dtype in specs]
    try:
        closed = jax.make_jaxpr(forward)(*avals)
    except Exception as e:
        raise KerasImportError(f"Keras model {model.name!r} could not be traced with JAX for any batch size: "
                               f"{type(e).__name__}: {e}") from e
    return TracedModel(model.name, closed, weights, specs, outputs_meta["names"], outputs_meta["dict"])
