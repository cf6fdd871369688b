"""The registry of custom objects, as in Keras 3 (``keras.saving.register_keras_serializable``).

A custom layer, model, regularizer or function registered here (or passed as ``custom_objects=``)
can be rebuilt from a config: ``Model.from_config``, ``model_from_config`` and ``wg.models.load_model``
look a ``class_name`` up here first. The key is ``"package>name"`` (Keras's format), and a config
written by ``serialize_keras_object`` carries it as ``registered_name``.

This module imports nothing of webgrad: the layers, the regularizers and the model all use it.
``webgrad.saving`` re-exports its public names.

>>> @register_keras_serializable(package="Demo")
... class Scale:
...     def __init__(self, factor=2.0):
...         self.factor = factor
...     def get_config(self):
...         return {"factor": self.factor}
>>> get_registered_name(Scale), get_registered_object("Demo>Scale") is Scale
('Demo>Scale', True)
>>> deserialize_keras_object(serialize_keras_object(Scale(3.0))).factor
3.0
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

__all__ = [
    "CustomObjectScope", "custom_object_scope", "deserialize_keras_object", "get_custom_objects",
    "get_registered_name", "get_registered_object", "register_keras_serializable", "serialize_keras_object",
]

T = TypeVar("T")

_CUSTOM_OBJECTS: dict[str, Any] = {}  # "package>name" -> class or function
_CUSTOM_NAMES: dict[Any, str] = {}  # class or function -> "package>name"
_scopes: list[dict[str, Any]] = []  # the dicts of the open custom_object_scope()s, innermost last


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable[[T], T]:
    """Decorator: registers a class (which must have ``get_config``) or a function under
    ``"package>name"`` (``name`` defaults to its ``__name__``).

    >>> @register_keras_serializable("my_package")
    ... def double(x):
    ...     return x * 2
    >>> get_registered_name(double)
    'my_package>double'
    """
    def decorator(obj: T) -> T:
        key = f"{package}>{name if name is not None else obj.__name__}"  # type: ignore[attr-defined]
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(f"cannot register class {obj.__name__!r}: it has no get_config() method")
        _CUSTOM_OBJECTS[key] = obj
        _CUSTOM_NAMES[obj] = key
        return obj

    return decorator


def get_registered_name(obj: Any) -> str:
    """The key ``obj`` is registered under, else its ``__name__``."""
    return _CUSTOM_NAMES.get(obj) or obj.__name__


def get_registered_object(name: str | None, custom_objects: Mapping[str, Any] | None = None,
                          module_objects: Mapping[str, Any] | None = None) -> Any:
    """The class or function for ``name``: from an open ``custom_object_scope``, the registry,
    ``custom_objects`` or ``module_objects``, in that order (Keras's); None when none has it."""
    if name is None:
        return None
    for scope in reversed(_scopes):
        if name in scope:
            return scope[name]
    if name in _CUSTOM_OBJECTS:
        return _CUSTOM_OBJECTS[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def get_custom_objects() -> dict[str, Any]:
    """The global registry itself (``"package>name"`` -> object); entries added to it are found too.

    >>> "Demo>Scale" in get_custom_objects()
    True
    """
    return _CUSTOM_OBJECTS


class CustomObjectScope:
    """``with custom_object_scope({"MyLayer": MyLayer}):`` makes those names resolvable inside."""

    def __init__(self, custom_objects: Mapping[str, Any] | None = None):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self) -> CustomObjectScope:
        _scopes.append(self.custom_objects)
        return self

    def __exit__(self, *exc: Any) -> None:
        _scopes.remove(self.custom_objects)


custom_object_scope = CustomObjectScope


def resolve(class_name: str, registered_name: str | None = None, custom_objects: Mapping[str, Any] | None = None,
            module_objects: Mapping[str, Any] | None = None, kind: str = "class") -> Any:
    """The object a config names: its ``registered_name`` first, then its ``class_name``; the error
    says how to make a custom one known."""
    found = get_registered_object(registered_name, custom_objects) if registered_name else None
    if found is None:
        found = get_registered_object(class_name, custom_objects, module_objects)
    if found is None:
        known = f"; valid: {', '.join(sorted(module_objects))}" if module_objects else ""
        raise ValueError(
            f"unknown {kind} {class_name!r}{known}"
            + (f" (registered name {registered_name!r} is not registered)" if registered_name else "")
            + f". If it is a custom {kind}, decorate it with @wg.saving.register_keras_serializable() and import "
            f"it before loading, or pass custom_objects={{{class_name!r}: {class_name}}}")
    return found


def serialize_keras_object(obj: Any) -> Any:
    """A JSON-able config of ``obj``: ``{"class_name", "config", "registered_name"}`` for an object
    with ``get_config``, the registered name for a function, plain values as they are."""
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if isinstance(obj, list | tuple):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return get_registered_name(obj)
    if hasattr(obj, "get_config"):
        cls = type(obj)
        out: dict[str, Any] = {"class_name": cls.__name__, "config": obj.get_config()}
        if cls in _CUSTOM_NAMES:
            out["registered_name"] = _CUSTOM_NAMES[cls]
        return out
    raise TypeError(f"cannot serialize {obj!r} ({type(obj).__name__}): it has no get_config() method")


def deserialize_keras_object(config: Any, custom_objects: Mapping[str, Any] | None = None,
                             module_objects: Mapping[str, Any] | None = None) -> Any:
    """The object of ``serialize_keras_object``'s output (``from_config`` of the class named); a
    string is a registered function's name."""
    if config is None:
        return None
    if isinstance(config, str):
        return resolve(config, config, custom_objects, module_objects, kind="function")
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError(f"cannot deserialize {config!r}: expected a dict with 'class_name' and 'config'")
    cls = resolve(config["class_name"], config.get("registered_name"), custom_objects, module_objects)
    inner = config.get("config", {})
    with CustomObjectScope(custom_objects):
        if hasattr(cls, "from_config"):
            return cls.from_config(inner)
        return cls(**inner)
