"""A model's compile state in a ``.keras`` file (``config.json``'s ``compile_config``, as Keras writes
it): the optimizer, the losses, the metrics and the loss weights given to ``compile``. Names stay names,
objects become ``{"class_name", "config"}``, functions their registered name; custom ones come back from
the registry and the open ``custom_object_scope``.

>>> import webgrad as wg
>>> serialize_spec([wg.losses.BinaryCrossentropy(from_logits=True), "mse"], "loss")[0]["config"]
{'from_logits': True}
"""

from __future__ import annotations

from typing import Any

from webgrad import losses as wg_losses
from webgrad import metrics as wg_metrics
from webgrad import optimizers as wg_optimizers
from webgrad.saving.configs import registered_name
from webgrad.serialization import get_registered_name, get_registered_object


def get_compile_config(model: Any) -> dict[str, Any] | None:
    """What ``compile`` was given, serialized; None for a model not compiled."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return None
    return {
        "optimizer": wg_optimizers.serialize(optimizer),
        "loss": serialize_spec(getattr(model, "_loss_spec", None), "loss"),
        "metrics": serialize_spec(getattr(model, "_metric_specs", None) or None, "metric"),
        "loss_weights": getattr(model, "_loss_weight_spec", None),
    }


def compile_from_config(model: Any, config: dict[str, Any]) -> None:
    """Compiles ``model`` as ``config`` (``get_compile_config``'s, or Keras's) describes, with a fresh
    optimizer; Keras's other compile options (``jit_compile``...) are ignored."""
    opt = config["optimizer"]
    custom_optimizer = get_registered_object(opt.get("registered_name")) if isinstance(opt, dict) else None
    kwargs = {
        "optimizer": (custom_optimizer.from_config(opt["config"]) if custom_optimizer is not None
                      else wg_optimizers.get(opt)),
        "loss": deserialize_spec(config.get("loss"), "loss"),
    }
    if config.get("metrics") is not None:
        kwargs["metrics"] = deserialize_spec(config["metrics"], "metric")
    if config.get("loss_weights") is not None:
        kwargs["loss_weights"] = config["loss_weights"]
    model.compile(**kwargs)


def serialize_spec(spec: Any, kind: str) -> Any:
    """A loss or metric given to compile, JSON-ready: names stay names, objects become
    ``{"class_name", "config"}``, functions their registered name."""
    if spec is None or isinstance(spec, str | int | float | bool):
        return spec
    if isinstance(spec, list | tuple):
        return [serialize_spec(s, kind) for s in spec]
    if isinstance(spec, dict):
        return {k: serialize_spec(v, kind) for k, v in spec.items()}
    if isinstance(spec, type):
        raise ValueError(f"compile got the {kind} class {spec.__name__}; pass an instance or a name")
    if hasattr(spec, "get_config"):
        config = spec.get_config()
        if kind == "metric" and "name" not in config and getattr(spec, "name", None):
            config = {**config, "name": spec.name}
        return {"module": type(spec).__module__, "class_name": type(spec).__name__, "config": config,
                "registered_name": registered_name(spec)}
    if callable(spec) and hasattr(spec, "__name__"):
        # a function is saved by name: its registered name, else its own (then load with custom_objects)
        name = get_registered_name(spec)
        return {"module": getattr(spec, "__module__", None), "class_name": "function", "config": name,
                "registered_name": name if name != spec.__name__ else None}
    raise ValueError(f"cannot save the {kind} {spec!r} given to compile: use a name, a {kind} object with "
                     "get_config, or a registered function")


def deserialize_spec(spec: Any, kind: str) -> Any:
    """``_serialize_spec`` back; custom objects come from the registry and the open custom_object_scope."""
    if spec is None:
        return None
    if isinstance(spec, list):
        return [deserialize_spec(s, kind) for s in spec]
    if isinstance(spec, dict) and "class_name" not in spec:
        return {k: deserialize_spec(v, kind) for k, v in spec.items()}
    if isinstance(spec, str):
        found = get_registered_object(spec)
        return found if found is not None else spec
    name = spec.get("registered_name") or spec["class_name"]
    if spec["class_name"] == "function":
        name = spec["config"]
    found = get_registered_object(name)
    module = wg_losses if kind == "loss" else wg_metrics
    if found is None and spec["class_name"] != "function":
        found = getattr(module, spec["class_name"], None)
    if found is None:
        raise ValueError(f"unknown {kind} {name!r} in the compile config: pass it in custom_objects or register "
                         "it with @wg.saving.register_keras_serializable(), or load with compile=False")
    if spec["class_name"] == "function":
        return found
    config = dict(spec.get("config") or {})
    if hasattr(found, "from_config"):
        return found.from_config(config)
    return found(**config)
