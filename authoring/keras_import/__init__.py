"""Keras 3 models into webgrad: ``wg.models.from_keras(model_or_path)`` and ``wg.export(keras_model, dir)``.

A model built with the ``keras`` package (Sequential, functional or subclassed, with custom layers) on
its JAX backend, or a ``.keras`` file, is traced by JAX into its inference graph, and every JAX
primitive in it becomes op-set ops; the result is a webgrad model that predicts, exports and
fine-tunes. A primitive with no op-set mapping raises ``NotImplementedError`` naming it and where it
came from. Needs the ``keras`` extra (``pip install 'webgrad[keras]'``).

>>> import os; os.environ.setdefault("KERAS_BACKEND", "jax")  # doctest: +SKIP
>>> import keras, numpy as np, webgrad as wg  # doctest: +SKIP
>>> km = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])  # doctest: +SKIP
>>> model = wg.models.from_keras(km)  # doctest: +SKIP
>>> x = np.ones((2, 4), np.float32)  # doctest: +SKIP
>>> bool(np.allclose(model.predict(x), km.predict(x, verbose=0), atol=1e-6))  # doctest: +SKIP
True
"""

from __future__ import annotations

from typing import Any

from webgrad.keras_import.graph_layer import KerasGraph
from webgrad.keras_import.trace import KerasImportError, resolve_model, trace
from webgrad.layers.core import Input
from webgrad.model import Model


def is_keras_model(obj: Any) -> bool:
    """Whether ``obj`` is a model of the ``keras`` package (checked without importing Keras)."""
    return any(c.__module__.split(".")[0] == "keras" and c.__name__ in ("Model", "Functional", "Sequential")
               for c in type(obj).__mro__)


def from_keras(model_or_path: Any, input_shape: Any = None, custom_objects: dict | None = None) -> Model:
    """A webgrad model computing what the Keras 3 model (or ``.keras`` file) computes at inference.

    ``input_shape`` (without the batch dimension) is needed only for a subclassed Keras model that has
    never been called; ``custom_objects`` is passed to Keras when loading a file.
    """
    keras_model = resolve_model(model_or_path, custom_objects)
    traced = trace(keras_model, input_shape)
    inputs = [Input(shape, dtype="int32" if "int" in dtype else "float32", name=_input_name(name, i))
              for i, (name, shape, dtype) in enumerate(traced.inputs)]
    layer = KerasGraph(traced)
    outputs = layer(inputs if len(inputs) > 1 else inputs[0])
    return Model(inputs if len(inputs) > 1 else inputs[0], outputs, name=traced.name)


def _input_name(name: str, i: int) -> str | None:
    return None if name.startswith("keras_tensor") else name


__all__ = ["KerasGraph", "KerasImportError", "from_keras", "is_keras_model"]
