"""Layers and models from the configs in a ``.keras`` file: the class a config names (from
``custom_objects``, the registry of ``register_keras_serializable``, or webgrad's layers), and the build
config that builds a model ``from_config`` leaves unbuilt (a subclassed model).

>>> import webgrad as wg
>>> deserialize_layer({"class_name": "Dense", "config": wg.layers.Dense(3, name="d").get_config()}).units
3
"""

from __future__ import annotations

import contextlib
import importlib
import json
from typing import Any

from webgrad.layers.base import LAYER_CLASSES, Layer
from webgrad.serialization import custom_object_scope, get_registered_name, get_registered_object

_MODEL_CLASSES = ("Sequential", "Model", "Functional")  # webgrad.model's, found by name (see _layer_class)


def deserialize_layer(spec: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Layer:
    """The layer (or model) ``{"class_name", "config"[, "registered_name"]}`` describes, new weights."""
    cls = _layer_class(spec.get("class_name"), spec.get("registered_name"), custom_objects)
    return cls.from_config(dict(spec["config"]))


def _layer_class(class_name: Any, registered_name: Any, custom_objects: dict[str, Any] | None) -> type[Layer]:
    for name in (registered_name, class_name):
        if not name:
            continue
        if custom_objects and name in custom_objects:
            return custom_objects[name]
        found = get_registered_object(name, custom_objects)
        if found is not None:
            return found
    if class_name in _MODEL_CLASSES and class_name not in LAYER_CLASSES:
        # Sequential and Model register themselves when webgrad.model is imported; this module sits below
        # it (Model mixes in SavingMixin), so it imports it by name when a file names one of its classes
        importlib.import_module("webgrad.model")
    cls = LAYER_CLASSES.get("Model" if class_name == "Functional" else str(class_name))
    if cls is None:
        raise ValueError(
            f"unknown layer class {class_name!r}: it is not a webgrad layer nor a class defined or registered in "
            f"this process. Import the module that defines it, decorate the class with "
            f"@wg.saving.register_keras_serializable(), or pass custom_objects={{{str(class_name)!r}: "
            f"{class_name}}}")
    return cls


def registered_name(obj: Any) -> str | None:
    """The ``"package>name"`` that ``type(obj)`` is registered under, None for a class that is not."""
    name = get_registered_name(type(obj))
    return None if name == type(obj).__name__ else name


def build_config(model: Any) -> dict[str, Any] | None:
    """How to build a model that ``from_config`` returns unbuilt (a subclassed model): Keras's
    ``get_build_config()``, its input shape."""
    getter = getattr(model, "get_build_config", None)
    config = getter() if getter is not None else None
    if config is None and getattr(model, "input_shape", None) is not None:
        config = {"input_shape": model.input_shape}
    return None if config is None else json.loads(json.dumps(config))


def build_from_config(model: Any, build_config: dict[str, Any]) -> None:
    """Builds a model from ``build_config`` (Keras's ``build_from_config``, else ``build(input_shape)``)."""
    if hasattr(model, "build_from_config"):
        model.build_from_config(build_config)
        return
    shape = build_config["input_shape"]
    model.build(tuple(shape) if not isinstance(shape[0], list) else [tuple(s) for s in shape])


def scope(custom_objects: dict[str, Any] | None) -> Any:
    """A ``custom_object_scope`` for ``custom_objects`` (a no-op for none), around a whole load."""
    return custom_object_scope(custom_objects) if custom_objects else contextlib.nullcontext()
