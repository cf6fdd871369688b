"""Saving whole models and their weights, Keras 3 style: ``model.save("m.keras")``,
``wg.models.load_model("m.keras")`` (or ``wg.saving.load_model``), ``model.save_weights("w.weights.h5")``
/ ``model.load_weights(...)``.

What the files hold:

- ``x.keras`` is a zip archive like Keras's: ``metadata.json`` (``webgrad_version``, ``format_version``,
  ``date_saved``), ``config.json`` (``class_name``, ``config`` = ``model.get_config()``, ``build_config``,
  and ``compile_config``: optimizer, loss, metrics, loss weights) and ``model.weights.npz``, a NumPy
  ``.npz`` archive where Keras has ``model.weights.h5`` (webgrad does not depend on h5py).
- ``x.weights.h5`` (the name Keras requires, so Keras scripts run unchanged) is a NumPy ``.npz`` archive
  too, **not HDF5**: ``np.load("x.weights.h5")`` opens it; Keras cannot.

Weight entries are named as in Keras's files, by class and position, never by layer name (names are
generated and differ between processes): ``layers/dense/vars/0``, ``layers/dense_1/vars/1``... for the
model's layers in order, ``vars/<i>`` for weights of the model itself, and, for a compiled model, the
optimizer's state: ``optimizer/iterations``, ``optimizer/learning_rate`` and ``optimizer/vars/<j>/<slot>``
for the j-th trainable weight. ``load_weights`` (and ``load_model``) restore that state into a compiled
model, so ``fit`` continues exactly where the saved model stopped.

A save builds the whole file in memory, writes it under a temporary name next to the target and renames
it into place: a failed save never leaves a half-written file at the target.

>>> import os, tempfile, numpy as np, webgrad as wg
>>> model = wg.Sequential([wg.Input((3,)), wg.layers.Dense(2)])
>>> model.compile(optimizer="adam", loss="mse")
>>> path = os.path.join(tempfile.mkdtemp(), "m.keras")
>>> model.save(path)
>>> loaded = wg.saving.load_model(path)
>>> x = np.ones((1, 3), np.float32)
>>> bool(np.array_equal(loaded.predict(x), model.predict(x))), type(loaded.optimizer).__name__
(True, 'Adam')
"""

from __future__ import annotations

import contextlib
import datetime
import importlib
import io
import json
import os
import re
import uuid
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from webgrad import keras_names
from webgrad import losses as wg_losses
from webgrad import metrics as wg_metrics
from webgrad import optimizers as wg_optimizers
from webgrad.exporter.atomic_write import TMP_PREFIX, write_durably
from webgrad.layers.base import LAYER_CLASSES, Layer
from webgrad.serialization import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
from webgrad.tensor import Variable

__all__ = [
    "FORMAT_VERSION", "CustomObjectScope", "SavingMixin", "custom_object_scope", "deserialize_keras_object",
    "get_custom_objects", "get_registered_name", "get_registered_object", "load_model", "load_weights",
    "register_keras_serializable", "save_model", "save_weights", "serialize_keras_object",
]

#: version of the layout described in the module doc; a file with a higher one is refused
FORMAT_VERSION = 1
WEBGRAD_VERSION = "0.1.0"
CONFIG_FILE, METADATA_FILE, WEIGHTS_FILE = "config.json", "metadata.json", "model.weights.npz"
_KERAS_WEIGHTS_FILE = "model.weights.h5"  # in a .keras file written by Keras itself
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_MODEL_CLASSES = ("Sequential", "Model", "Functional")  # webgrad.model's, found by name (see _layer_class)


# ---- the public functions ----------------------------------------------------------------------------
def save_model(model: Any, filepath: str | os.PathLike, overwrite: bool = True, zipped: bool | None = None,
               **kwargs: Any) -> None:
    """Saves ``model`` (architecture, weights, compile state and optimizer state) as a ``.keras`` file.

    ``overwrite=False`` refuses an existing file (FileExistsError; Keras asks on the terminal).
    ``include_optimizer=False`` leaves the optimizer state out.

    >>> import os, tempfile, webgrad as wg
    >>> path = os.path.join(tempfile.mkdtemp(), "m.keras")
    >>> wg.saving.save_model(wg.Sequential([wg.Input((2,)), wg.layers.Dense(1)]), path)
    >>> sorted(zipfile.ZipFile(path).namelist())
    ['config.json', 'metadata.json', 'model.weights.npz']
    """
    include_optimizer = kwargs.pop("include_optimizer", True)
    if kwargs:
        raise ValueError(f"save_model: the following argument(s) are not supported: {sorted(kwargs)}")
    if zipped is False:
        raise NotImplementedError("save_model(zipped=False) (an unzipped directory) is not supported yet; "
                                  "webgrad writes .keras zip files")
    path = Path(os.fspath(filepath))
    if path.suffix in (".h5", ".hdf5"):
        raise NotImplementedError(f"saving a whole model in the legacy HDF5 format ({path.name}) is not "
                                  "supported yet; use a path ending in .keras")
    if path.suffix != ".keras":
        raise ValueError(f"Invalid filepath extension for saving: {str(path)!r}. model.save writes Keras's "
                         "native format: add a `.keras` extension (for the weights only, use "
                         "model.save_weights('name.weights.h5')); to export for the web use wg.export")
    _refuse_existing(path, overwrite)
    config = {
        "module": "webgrad", "class_name": _class_name(model), "config": model.get_config(),
        "registered_name": _registered_name(model), "build_config": _build_config(model),
    }
    if getattr(model, "optimizer", None) is not None:
        config["compile_config"] = model.get_compile_config()
    weights = _weights_state(model, include_optimizer)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(METADATA_FILE, json.dumps(_metadata()))
        zf.writestr(CONFIG_FILE, json.dumps(config))
        zf.writestr(WEIGHTS_FILE, _npz_bytes(weights))
    write_atomically(path, buffer.getvalue())


def load_model(filepath: str | os.PathLike, custom_objects: dict[str, Any] | None = None, compile: bool = True,
               safe_mode: bool = True) -> Any:
    """The model a ``.keras`` file written by ``model.save`` holds, compiled as it was (``compile=True``)
    with its optimizer state, so ``fit`` continues exactly. Custom layers are found by class name among
    the classes defined in this process, by registered name (``register_keras_serializable``), or in
    ``custom_objects`` (a dict of name -> class). ``safe_mode`` is accepted for Keras compatibility
    (webgrad files hold no code).

    >>> load_model("no_such_file.keras")
    Traceback (most recent call last):
    ...
    FileNotFoundError: no such file: 'no_such_file.keras'
    """
    del safe_mode  # nothing executable is ever deserialized
    path = Path(os.fspath(filepath))
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a directory; wg.saving.load_model reads .keras files (a webgrad "
                         "bundle directory loads with wg.models.load_model or wg.load_model)")
    if path.suffix != ".keras":
        raise ValueError(f"File format not supported: {str(path)!r}; webgrad loads .keras files written by "
                         "model.save (and bundles with wg.load_model)")
    with _open_archive(path) as zf:
        metadata = _check_metadata(_read_json(zf, METADATA_FILE, path), path)
        del metadata
        config = _read_json(zf, CONFIG_FILE, path)
        store = _read_npz(_read_member(zf, WEIGHTS_FILE, path), f"{path}:{WEIGHTS_FILE}")
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(f"{path}: {CONFIG_FILE} has no 'class_name'/'config' (the file is not a model saved "
                         "by model.save)")
    with _scope(custom_objects):
        model = deserialize_layer(config, custom_objects)
        if not model.built and config.get("build_config"):
            _build_from_config(model, config["build_config"])
        if compile and config.get("compile_config"):
            model.compile_from_config(config["compile_config"])
    _load_state(model, store, skip_mismatch=False, source=str(path), with_optimizer=compile)
    return model


def save_weights(model: Any, filepath: str | os.PathLike, overwrite: bool = True) -> None:
    """Writes the model's weights (and a compiled model's optimizer state) to ``filepath``, which must end
    in ``.weights.h5`` as in Keras; the file is a NumPy ``.npz`` archive (see the module doc).

    >>> import os, tempfile, numpy as np, webgrad as wg
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.weights.h5")
    >>> wg.saving.save_weights(wg.Sequential([wg.Input((2,)), wg.layers.Dense(1)]), path)
    >>> sorted(k for k in np.load(path) if not k.startswith("metadata/"))
    ['layers/dense/vars/0', 'layers/dense/vars/1']
    """
    path = Path(os.fspath(filepath))
    if not str(path).endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5` (as in Keras; webgrad writes a NumPy .npz "
                         f"archive under that name). Received: filepath={str(path)!r}")
    _refuse_existing(path, overwrite)
    state = _weights_state(model, include_optimizer=True)
    state["metadata/format_version"] = np.array(FORMAT_VERSION)
    state["metadata/webgrad_version"] = np.array(WEBGRAD_VERSION)
    write_atomically(path, _npz_bytes(state))


def load_weights(model: Any, filepath: str | os.PathLike, skip_mismatch: bool = False) -> None:
    """Sets the model's weights from a ``.weights.h5`` file of ``save_weights`` or a ``.keras`` file of
    ``save``, and, when the model is compiled, its optimizer state. Every entry is checked before any
    weight changes: a missing weight, an extra one or a shape mismatch raises ValueError naming the layer
    and the shapes, unless ``skip_mismatch=True``, which warns and leaves those weights as they are.
    """
    path = Path(os.fspath(filepath))
    name = str(path)
    if name.endswith(".keras"):
        with _open_archive(path) as zf:
            _check_metadata(_read_json(zf, METADATA_FILE, path), path)
            store = _read_npz(_read_member(zf, WEIGHTS_FILE, path), f"{path}:{WEIGHTS_FILE}")
    elif name.endswith(".weights.h5"):
        data = _read_file(path)
        if data.startswith(_HDF5_SIGNATURE):
            raise NotImplementedError(
                f"{name} is an HDF5 file (written by Keras?); reading Keras's HDF5 weights is not supported yet. "
                "webgrad reads the .weights.h5 files it writes (NumPy .npz inside); for a Keras model use "
                "wg.models.from_keras")
        store = _read_npz(data, name)
        version = store.pop("metadata/format_version", None)
        store.pop("metadata/webgrad_version", None)
        if version is not None:
            _check_format_version(int(version), path)
    else:
        raise ValueError(f"File format not supported: filepath={name!r}; load_weights reads `.weights.h5` files "
                         "(model.save_weights) and `.keras` files (model.save)")
    _load_state(model, store, skip_mismatch=skip_mismatch, source=name, with_optimizer=True)


# ---- the mixin ---------------------------------------------------------------------------------------
class SavingMixin:
    """``save``, ``save_weights`` and ``load_weights`` (Keras 3's signatures), and the compile config a
    ``.keras`` file stores; mixed into ``Model``."""

    def save(self, filepath: str | os.PathLike, overwrite: bool = True, zipped: bool | None = None,
             **kwargs: Any) -> None:
        """Saves the whole model as a ``.keras`` file (see ``webgrad.saving``); ``load_model`` reads it."""
        save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath: str | os.PathLike, overwrite: bool = True,
                     max_shard_size: Any = None) -> None:
        """Saves the weights (and optimizer state) to a ``.weights.h5`` file (a NumPy .npz inside)."""
        if max_shard_size is not None:
            raise NotImplementedError("save_weights(max_shard_size=...) (sharded weights) is not supported yet")
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: str | os.PathLike, skip_mismatch: bool = False, **kwargs: Any) -> None:
        """Loads weights saved by ``save_weights`` or ``save`` (see ``webgrad.saving.load_weights``)."""
        if kwargs:
            raise ValueError(f"load_weights: invalid keyword arguments {sorted(kwargs)}")
        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def get_compile_config(self) -> dict[str, Any] | None:
        """What ``compile`` was given (optimizer, loss, metrics, loss_weights), serialized; None before
        ``compile``."""
        optimizer = getattr(self, "optimizer", None)
        if optimizer is None:
            return None
        return {
            "optimizer": wg_optimizers.serialize(optimizer),
            "loss": _serialize_spec(getattr(self, "_loss_spec", None), "loss"),
            "metrics": _serialize_spec(getattr(self, "_metric_specs", None) or None, "metric"),
            "loss_weights": getattr(self, "_loss_weight_spec", None),
        }

    def compile_from_config(self, config: dict[str, Any]) -> None:
        """Compiles the model as ``get_compile_config()`` describes (a fresh optimizer)."""
        opt = config["optimizer"]
        custom_optimizer = get_registered_object(opt.get("registered_name")) if isinstance(opt, dict) else None
        kwargs = {
            "optimizer": (custom_optimizer.from_config(opt["config"]) if custom_optimizer is not None
                          else wg_optimizers.get(opt)),
            "loss": _deserialize_spec(config.get("loss"), "loss"),
        }
        if config.get("metrics") is not None:
            kwargs["metrics"] = _deserialize_spec(config["metrics"], "metric")
        if config.get("loss_weights") is not None:
            kwargs["loss_weights"] = config["loss_weights"]
        self.compile(**kwargs)  # type: ignore[attr-defined]


# ---- layers and models from configs -----------------------------------------------------------------
def deserialize_layer(spec: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Layer:
    """The layer (or model) ``{"class_name", "config"[, "registered_name"]}`` describes, new weights.

    >>> import webgrad as wg
    >>> deserialize_layer({"class_name": "Dense", "config": wg.layers.Dense(3, name="d").get_config()}).units
    3
    """
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


def _class_name(obj: Any) -> str:
    return type(obj).__name__


def _registered_name(obj: Any) -> str | None:
    name = get_registered_name(type(obj))
    return None if name == type(obj).__name__ else name


def _build_config(model: Any) -> dict[str, Any] | None:
    """How to build a model that ``from_config`` returns unbuilt (a subclassed model): Keras's
    ``get_build_config()``, its input shape."""
    getter = getattr(model, "get_build_config", None)
    config = getter() if getter is not None else None
    if config is None and getattr(model, "input_shape", None) is not None:
        config = {"input_shape": model.input_shape}
    return None if config is None else json.loads(json.dumps(config))


def _build_from_config(model: Any, build_config: dict[str, Any]) -> None:
    if hasattr(model, "build_from_config"):
        model.build_from_config(build_config)
        return
    shape = build_config["input_shape"]
    model.build(tuple(shape) if not isinstance(shape[0], list) else [tuple(s) for s in shape])


# ---- compile config ----------------------------------------------------------------------------------
def _serialize_spec(spec: Any, kind: str) -> Any:
    """A loss or metric given to compile, JSON-ready: names stay names, objects become
    ``{"class_name", "config"}``, functions their registered name."""
    if spec is None or isinstance(spec, str | int | float | bool):
        return spec
    if isinstance(spec, list | tuple):
        return [_serialize_spec(s, kind) for s in spec]
    if isinstance(spec, dict):
        return {k: _serialize_spec(v, kind) for k, v in spec.items()}
    if isinstance(spec, type):
        raise ValueError(f"compile got the {kind} class {spec.__name__}; pass an instance or a name")
    if hasattr(spec, "get_config"):
        config = spec.get_config()
        if kind == "metric" and "name" not in config and getattr(spec, "name", None):
            config = {**config, "name": spec.name}
        return {"module": type(spec).__module__, "class_name": type(spec).__name__, "config": config,
                "registered_name": _registered_name(spec)}
    if callable(spec) and hasattr(spec, "__name__"):
        # a function is saved by name: its registered name, else its own (then load with custom_objects)
        name = get_registered_name(spec)
        return {"module": getattr(spec, "__module__", None), "class_name": "function", "config": name,
                "registered_name": name if name != spec.__name__ else None}
    raise ValueError(f"cannot save the {kind} {spec!r} given to compile: use a name, a {kind} object with "
                     "get_config, or a registered function")


def _deserialize_spec(spec: Any, kind: str) -> Any:
    """``_serialize_spec`` back; custom objects come from the registry and the open custom_object_scope."""
    if spec is None:
        return None
    if isinstance(spec, list):
        return [_deserialize_spec(s, kind) for s in spec]
    if isinstance(spec, dict) and "class_name" not in spec:
        return {k: _deserialize_spec(v, kind) for k, v in spec.items()}
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


# ---- weights -------------------------------------------------------------------------------------------
def _snake(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def _weight_entries(model: Any) -> list[tuple[str, Variable, str]]:
    """(file key, weight, owner for messages) for every weight of ``model``, keyed by class and position
    (see the module doc)."""
    entries: list[tuple[str, Variable, str]] = []
    covered: set[int] = set()
    used: dict[str, int] = {}
    for layer in getattr(model, "layers", []):
        base = _snake(type(layer).__name__)
        n = used.get(base, 0)
        used[base] = n + 1
        key = base if n == 0 else f"{base}_{n}"
        for i, w in enumerate(layer.weights):
            if id(w) in covered:  # a weight shared by two layers is saved once
                continue
            covered.add(id(w))
            entries.append((f"layers/{key}/vars/{i}", w, f"layer {layer.name!r} ({type(layer).__name__})"))
    rest = [w for w in model.weights if id(w) not in covered]
    for i, w in enumerate(rest):
        entries.append((f"vars/{i}", w, f"model {model.name!r}"))
    return entries


def _weights_state(model: Any, include_optimizer: bool) -> dict[str, np.ndarray]:
    state = {key: np.asarray(w.data) for key, w, _ in _weight_entries(model)}
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None:
        state["optimizer/iterations"] = np.array(int(optimizer.iterations), np.int64)
        if not callable(optimizer._learning_rate):
            state["optimizer/learning_rate"] = np.array(optimizer.learning_rate, np.float32)
        for j, slots in enumerate(optimizer.state_arrays(model.trainable_weights)):
            for slot, array in slots.items():
                state[f"optimizer/vars/{j}/{slot}"] = array
    return state


def _load_state(model: Any, store: dict[str, np.ndarray], skip_mismatch: bool, source: str,
                with_optimizer: bool) -> None:
    """Checks every weight entry of ``store`` against the model, then assigns them all (nothing changes
    when a check fails), then the optimizer state."""
    entries = _weight_entries(model)
    if not entries and any(not k.startswith("optimizer/") for k in store):
        raise ValueError(f"model {model.name!r} has no weights yet, {source} has some: build the model first "
                         "(call it on a batch of data, or model.build(input_shape)) before loading weights")
    problems: list[str] = []
    assign: list[tuple[Variable, np.ndarray]] = []
    for key, w, owner in entries:
        if key not in store:
            problems.append(f"{owner}: weight {w.name!r} {tuple(w.shape)} is not in the file (no entry {key!r})")
            continue
        value = store[key]
        if tuple(value.shape) != tuple(w.shape):
            problems.append(f"{owner}: weight {w.name!r} has shape {tuple(w.shape)}, the file has shape "
                            f"{tuple(value.shape)} (entry {key!r})")
            continue
        assign.append((w, value))
    known = {key for key, _, _ in entries}
    extra = sorted(k for k in store if not k.startswith("optimizer/") and k not in known)
    if extra:
        problems.append(f"the file has {len(extra)} weight(s) the model does not: {extra[:6]}"
                        + (" ..." if len(extra) > 6 else ""))
    if problems:
        message = (f"cannot load the weights of {source} into model {model.name!r} ({len(problems)} "
                   "problem(s)):\n  " + "\n  ".join(problems))
        if not skip_mismatch:
            raise ValueError(message)
        warnings.warn(message + "\nskip_mismatch=True: those weights were left as they are", stacklevel=3)
    for w, value in assign:
        w.assign(value)
    optimizer = getattr(model, "optimizer", None)
    if with_optimizer and optimizer is not None and "optimizer/iterations" in store:
        _load_optimizer_state(model, optimizer, store, source)
    steps = getattr(model, "_steps", None)
    if steps is not None:  # a compiled backend's copy (jax) reads the new weights and slots before its next use
        steps.load_weights()
        steps.load_slots()


def _load_optimizer_state(model: Any, optimizer: Any, store: dict[str, np.ndarray], source: str) -> None:
    trainable = model.trainable_weights
    slots = [{k.rsplit("/", 1)[1]: v for k, v in store.items() if k.startswith(f"optimizer/vars/{j}/")}
             for j in range(len(trainable))]
    saved = {k.split("/")[2] for k in store if k.startswith("optimizer/vars/")}
    if len(saved) > len(trainable) or any(set(s) != set(optimizer.slot_names) for s in slots if s):
        warnings.warn(f"{source}: the saved optimizer state does not fit optimizer {optimizer.name!r} "
                      f"(slots {list(optimizer.slot_names)} for {len(trainable)} trainable weights); "
                      "it was not restored", stacklevel=4)
        return
    try:
        optimizer.load_state(int(store["optimizer/iterations"]), [(w, s) for w, s in zip(trainable, slots,
                                                                                            strict=True) if s])
    except ValueError as e:
        warnings.warn(f"{source}: the optimizer state was not restored: {e}", stacklevel=4)
        return
    if "optimizer/learning_rate" in store and not callable(optimizer._learning_rate):
        optimizer.learning_rate = float(store["optimizer/learning_rate"])


# ---- files ------------------------------------------------------------------------------------------------
def _metadata() -> dict[str, Any]:
    return {"webgrad_version": WEBGRAD_VERSION, "format_version": FORMAT_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}


def _check_metadata(metadata: Any, path: Path) -> dict[str, Any]:
    if not isinstance(metadata, dict):
        raise ValueError(f"{path}: {METADATA_FILE} is not a JSON object")
    if "format_version" not in metadata:
        if "keras_version" in metadata:
            raise NotImplementedError(
                f"{path} was written by Keras {metadata['keras_version']} (HDF5 weights inside); webgrad's "
                "load_model reads the .keras files webgrad writes. Bring a Keras model in with "
                "wg.models.from_keras")
        raise ValueError(f"{path}: {METADATA_FILE} has no format_version (not a file written by model.save)")
    _check_format_version(metadata["format_version"], path)
    return metadata


def _check_format_version(version: Any, path: Path) -> None:
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"{path}: bad format_version {version!r}")
    if version > FORMAT_VERSION:
        raise ValueError(f"{path} has format version {version}, newer than this webgrad reads ({FORMAT_VERSION}); "
                         "it was saved by a newer webgrad: upgrade webgrad to load it")


def _refuse_existing(path: Path, overwrite: bool) -> None:
    if not overwrite and path.exists():
        raise FileExistsError(f"{path} exists and overwrite=False")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory; give a file path")


def write_atomically(path: str | os.PathLike, data: bytes) -> None:
    """``path`` = ``data``, via a temporary file in the same directory renamed over it: the path holds the
    old content or the new, never a half-written file (used by the savers and the callbacks)."""
    path = Path(path)
    parent = path.parent
    if not parent.is_dir():
        raise FileNotFoundError(f"cannot save to {path}: directory {parent} does not exist")
    tmp = parent / f"{TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}-{path.name}"
    try:
        write_durably(tmp, data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"no such file: {str(path)!r}") from None


def _read_npz(data: bytes, source: str) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as e:
        raise ValueError(f"{source} is not a readable weights file (truncated or corrupt?): {e}") from None


@contextlib.contextmanager
def _open_archive(path: Path) -> Iterator[zipfile.ZipFile]:
    data = _read_file(path)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        raise ValueError(f"{path} is not a valid .keras file (a zip archive): {e}; it may be truncated or "
                         "corrupt") from None
    with zf:
        yield zf


def _read_member(zf: zipfile.ZipFile, name: str, path: Path) -> bytes:
    names = zf.namelist()
    if name not in names:
        if name == WEIGHTS_FILE and _KERAS_WEIGHTS_FILE in names:
            raise NotImplementedError(f"{path} holds Keras's HDF5 weights ({_KERAS_WEIGHTS_FILE}); use "
                                      "wg.models.from_keras for files written by Keras")
        raise ValueError(f"{path} is not a model saved by model.save: no {name} in it (it has {names[:6]})")
    try:
        return zf.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as e:
        raise ValueError(f"{path}: {name} cannot be read (truncated or corrupt file): {e}") from None


def _read_json(zf: zipfile.ZipFile, name: str, path: Path) -> Any:
    try:
        return json.loads(_read_member(zf, name, path).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: {name} is not valid JSON: {e}") from None


# ---- custom objects ------------------------------------------------------------------------------------
def _scope(custom_objects: dict[str, Any] | None) -> Any:
    return custom_object_scope(custom_objects) if custom_objects else contextlib.nullcontext()


def __getattr__(name: str) -> Any:  # Keras names webgrad lacks: NotImplementedError
    raise keras_names.unsupported("saving", name)
