"""Keras 3's saving API: ``save_model`` / ``load_model`` (``.keras`` files), ``save_weights`` /
``load_weights`` (``.weights.h5`` files), and ``SavingMixin``, which gives ``Model`` its ``save``,
``save_weights``, ``load_weights``, ``get_compile_config`` and ``compile_from_config``. The file layout
is described in the package doc (``webgrad.saving``).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

# modules of this package imported by their full names: ``from webgrad.saving import ...`` would run
# (and so depend on) the package's __init__, which imports this module
import webgrad.saving.compile_config as compile_config
import webgrad.saving.configs as configs
import webgrad.saving.files as files
import webgrad.saving.weights as weights


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
    files.refuse_existing(path, overwrite)
    config = {
        "module": "webgrad", "class_name": type(model).__name__, "config": model.get_config(),
        "registered_name": configs.registered_name(model), "build_config": configs.build_config(model),
    }
    if getattr(model, "optimizer", None) is not None:
        config["compile_config"] = model.get_compile_config()
    state = weights.weights_state(model, include_optimizer)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(files.METADATA_FILE, json.dumps(files.metadata()))
        zf.writestr(files.CONFIG_FILE, json.dumps(config))
        zf.writestr(files.WEIGHTS_FILE, files.npz_bytes(state))
    files.write_atomically(path, buffer.getvalue())


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
    with files.open_archive(path) as zf:
        files.check_metadata(files.read_json(zf, files.METADATA_FILE, path), path)
        config = files.read_json(zf, files.CONFIG_FILE, path)
        store = _weights_in_archive(zf, path)
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(f"{path}: {files.CONFIG_FILE} has no 'class_name'/'config' (the file is not a model saved "
                         "by model.save)")
    with configs.scope(custom_objects):
        model = configs.deserialize_layer(config, custom_objects)
        if not model.built and config.get("build_config"):
            configs.build_from_config(model, config["build_config"])
        if compile and config.get("compile_config"):
            model.compile_from_config(config["compile_config"])
    weights.load_state(model, store, skip_mismatch=False, source=str(path), with_optimizer=compile)
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
    files.refuse_existing(path, overwrite)
    state = weights.weights_state(model, include_optimizer=True)
    state["metadata/format_version"] = np.array(files.FORMAT_VERSION)
    state["metadata/webgrad_version"] = np.array(files.WEBGRAD_VERSION)
    files.write_atomically(path, files.npz_bytes(state))


def load_weights(model: Any, filepath: str | os.PathLike, skip_mismatch: bool = False) -> None:
    """Sets the model's weights from a ``.weights.h5`` file of ``save_weights`` or a ``.keras`` file of
    ``save``, and, when the model is compiled, its optimizer state. Every entry is checked before any
    weight changes: a missing weight, an extra one or a shape mismatch raises ValueError naming the layer
    and the shapes, unless ``skip_mismatch=True``, which warns and leaves those weights as they are.
    """
    path = Path(os.fspath(filepath))
    name = str(path)
    if name.endswith(".keras"):
        with files.open_archive(path) as zf:
            files.check_metadata(files.read_json(zf, files.METADATA_FILE, path), path)
            store = _weights_in_archive(zf, path)
    elif name.endswith(".weights.h5"):
        data = files.read_file(path)
        if data.startswith(files.HDF5_SIGNATURE):
            raise NotImplementedError(
                f"{name} is an HDF5 file (written by Keras?); reading Keras's HDF5 weights is not supported yet. "
                "webgrad reads the .weights.h5 files it writes (NumPy .npz inside); for a Keras model use "
                "wg.models.from_keras")
        store = files.read_npz(data, name)
        version = store.pop("metadata/format_version", None)
        store.pop("metadata/webgrad_version", None)
        if version is not None:
            files.check_format_version(int(version), path)
    else:
        raise ValueError(f"File format not supported: filepath={name!r}; load_weights reads `.weights.h5` files "
                         "(model.save_weights) and `.keras` files (model.save)")
    weights.load_state(model, store, skip_mismatch=skip_mismatch, source=name, with_optimizer=True)


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
        """What ``compile`` was given (optimizer, loss, metrics, loss_weights), serialized as in a
        ``.keras`` file; None before ``compile``."""
        return compile_config.get_compile_config(self)

    def compile_from_config(self, config: dict[str, Any]) -> None:
        """Compiles the model as ``get_compile_config()`` (or Keras's compile config) describes."""
        compile_config.compile_from_config(self, config)


def _weights_in_archive(zf: Any, path: Path) -> dict[str, np.ndarray]:
    return files.read_npz(files.read_member(zf, files.WEIGHTS_FILE, path), f"{path}:{files.WEIGHTS_FILE}")
