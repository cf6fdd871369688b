"""The files ``webgrad.saving`` writes and reads (layout in the package doc): names, metadata and format
version checks, atomic writes, and readers that turn a truncated or corrupt file into a clear error.

>>> check_format_version(FORMAT_VERSION + 1, Path("m.keras"))
Traceback (most recent call last):
...
ValueError: m.keras has format version 2, newer than this webgrad reads (1); it was saved by a newer ...
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from webgrad.exporter.atomic_write import TMP_PREFIX, write_durably

#: version of the layout described in the package doc; a file with a higher one is refused
FORMAT_VERSION = 1
WEBGRAD_VERSION = "0.1.0"
CONFIG_FILE, METADATA_FILE, WEIGHTS_FILE = "config.json", "metadata.json", "model.weights.npz"
KERAS_WEIGHTS_FILE = "model.weights.h5"  # in a .keras file written by Keras itself
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def metadata() -> dict[str, Any]:
    return {"webgrad_version": WEBGRAD_VERSION, "format_version": FORMAT_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}


def check_metadata(metadata: Any, path: Path) -> dict[str, Any]:
    if not isinstance(metadata, dict):
        raise ValueError(f"{path}: {METADATA_FILE} is not a JSON object")
    if "format_version" not in metadata:
        if "keras_version" in metadata:
            raise NotImplementedError(
                f"{path} was written by Keras {metadata['keras_version']} (HDF5 weights inside); webgrad's "
                "load_model reads the .keras files webgrad writes. Bring a Keras model in with "
                "wg.models.from_keras")
        raise ValueError(f"{path}: {METADATA_FILE} has no format_version (not a file written by model.save)")
    check_format_version(metadata["format_version"], path)
    return metadata


def check_format_version(version: Any, path: Path) -> None:
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"{path}: bad format_version {version!r}")
    if version > FORMAT_VERSION:
        raise ValueError(f"{path} has format version {version}, newer than this webgrad reads ({FORMAT_VERSION}); "
                         "it was saved by a newer webgrad: upgrade webgrad to load it")


def refuse_existing(path: Path, overwrite: bool) -> None:
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


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"no such file: {str(path)!r}") from None


def read_npz(data: bytes, source: str) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as e:
        raise ValueError(f"{source} is not a readable weights file (truncated or corrupt?): {e}") from None


@contextlib.contextmanager
def open_archive(path: Path) -> Iterator[zipfile.ZipFile]:
    data = read_file(path)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        raise ValueError(f"{path} is not a valid .keras file (a zip archive): {e}; it may be truncated or "
                         "corrupt") from None
    with zf:
        yield zf


def read_member(zf: zipfile.ZipFile, name: str, path: Path) -> bytes:
    names = zf.namelist()
    if name not in names:
        if name == WEIGHTS_FILE and KERAS_WEIGHTS_FILE in names:
            raise NotImplementedError(f"{path} holds Keras's HDF5 weights ({KERAS_WEIGHTS_FILE}); use "
                                      "wg.models.from_keras for files written by Keras")
        raise ValueError(f"{path} is not a model saved by model.save: no {name} in it (it has {names[:6]})")
    try:
        return zf.read(name)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as e:
        raise ValueError(f"{path}: {name} cannot be read (truncated or corrupt file): {e}") from None


def read_json(zf: zipfile.ZipFile, name: str, path: Path) -> Any:
    try:
        return json.loads(read_member(zf, name, path).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: {name} is not valid JSON: {e}") from None


