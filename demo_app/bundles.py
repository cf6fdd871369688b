"""The bundles the demo serves: every subdirectory of the bundle directory that holds a ``model.json``.

Each bundle is checked when it is first seen or changes on disk (its files' sizes and mtimes): the
``model.json`` must parse and list its shards, and each shard must exist with the byte length and
SHA-256 that ``model.json`` gives. A bundle that fails stays in the index with its ``error`` (the page
shows it, the server logs it once per change) and its files are still served, so the browser's own
loader reports the precise problem too. Only files named by the index are ever served: a request for
any other path, ``..`` included, is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .responses import sha256_hex

MODEL_FILE = "model.json"
DTYPE_SUFFIXES = ("float32", "float16", "int8")
log = logging.getLogger("demo_app")


@dataclass
class ServedFile:
    """A file of a bundle that may be served: its path on disk and its strong ETag (SHA-256 hex)."""

    path: Path
    etag: str


@dataclass
class Bundle:
    """One bundle directory, as the page sees it (``to_json``) and as the server serves it (``files``)."""

    name: str
    model: str
    dtype: str
    files: dict[str, ServedFile] = field(default_factory=dict)
    bytes: int = 0
    exported: str | None = None
    test_accuracy: float | None = None
    error: str | None = None
    metadata_accuracy: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The bundle's entry in ``/api/bundles``."""
        return {"name": self.name, "model": self.model, "dtype": self.dtype, "url": f"bundles/{self.name}/",
                "bytes": self.bytes, "files": sorted(self.files), "exported": self.exported,
                "testAccuracy": self.test_accuracy, "ok": self.error is None, "error": self.error}


def _stat_key(directory: Path) -> tuple:
    """What changes when any file of the bundle changes (names, sizes, mtimes)."""
    items = []
    for p in sorted(directory.iterdir()):
        if p.is_file():
            st = p.stat()
            items.append((p.name, st.st_size, st.st_mtime_ns))
    return tuple(items)


def _dtype_of(manifest: dict[str, Any], name: str) -> str:
    """The bundle's weight dtype: int8 if any tensor is quantized to int8, float16 if any is float16."""
    tensors = manifest.get("weights", {}).get("tensors", [])
    dtypes = {t.get("dtype") for t in tensors if isinstance(t, dict)}
    for d in ("int8", "float16"):
        if d in dtypes:
            return d
    suffix = name.rsplit("-", 1)[-1]
    return suffix if suffix in DTYPE_SUFFIXES else "float32"


def _model_of(name: str) -> str:
    """The model a bundle belongs to: its name without a ``-float32``/``-float16``/``-int8`` suffix."""
    base, _, suffix = name.rpartition("-")
    return base if base and suffix in DTYPE_SUFFIXES else name


def _read_bundle(directory: Path) -> Bundle:
    """Reads and checks one bundle directory; problems go into ``Bundle.error``, never raised."""
    name = directory.name
    bundle = Bundle(name=name, model=_model_of(name), dtype="float32")
    model_path = directory / MODEL_FILE
    try:
        raw = model_path.read_bytes()
    except OSError as e:
        bundle.error = f"{model_path}: cannot read: {e.strerror or e}"
        return bundle
    bundle.files[MODEL_FILE] = ServedFile(model_path, sha256_hex(raw))
    bundle.bytes = len(raw)
    bundle.exported = dt.datetime.fromtimestamp(model_path.stat().st_mtime, dt.timezone.utc).isoformat(
        timespec="seconds")
    try:
        manifest = json.loads(raw)
        shards = manifest["weights"]["shards"]
        if not isinstance(shards, list):
            raise TypeError("weights.shards is not a list")
    except (ValueError, KeyError, TypeError) as e:
        bundle.error = f"{model_path}: not a valid bundle manifest: {e}"
        return bundle
    bundle.dtype = _dtype_of(manifest, name)
    bundle.metadata_accuracy = _accuracy_from_metadata(manifest.get("metadata"))
    problems = []
    for shard in shards:
        file = str(shard.get("file", "")) if isinstance(shard, dict) else ""
        path = directory / file
        # shard names come from model.json: only plain file names inside the bundle are served
        if not file or Path(file).name != file or file == MODEL_FILE:
            problems.append(f"shard name {file!r} is not a plain file name")
            continue
        try:
            data = path.read_bytes()
        except OSError:
            problems.append(f"{path}: missing")
            continue
        digest = sha256_hex(data)
        bundle.files[file] = ServedFile(path, digest)
        bundle.bytes += len(data)
        if len(data) != shard.get("byteLength"):
            problems.append(f"{path}: {len(data)} bytes, model.json says {shard.get('byteLength')}")
        elif digest != shard.get("sha256"):
            problems.append(f"{path}: sha256 mismatch (model.json says {str(shard.get('sha256'))[:12]}..., "
                            f"the file hashes to {digest[:12]}...)")
    if problems:
        bundle.error = "corrupt bundle: " + "; ".join(problems)
    return bundle


def _train_results(roots: list[Path]) -> dict[str, float]:
    """Test accuracy per bundle name from ``webgrad train --json`` result files (``*_result.json``) in
    ``roots``: the bundle carries its training metrics but not its test-set accuracy."""
    found: dict[str, float] = {}
    for root in roots:
        for path in sorted(root.glob("*_result.json")) if root.is_dir() else []:
            try:
                result = json.loads(path.read_text(encoding="utf-8"))
                for entry in result.get("bundles", {}).values():
                    if isinstance(entry.get("accuracy"), (int, float)):
                        found[Path(entry["path"]).name] = float(entry["accuracy"])
            except (OSError, ValueError, AttributeError, TypeError):
                continue  # not a result file of ours
    return found


def _accuracy_from_metadata(meta: Any) -> float | None:
    """A test accuracy recorded in the bundle's own metadata, if the exporter put one there."""
    if not isinstance(meta, dict):
        return None
    for value in (meta.get("test_accuracy"), (meta.get("evaluation") or {}).get("test_accuracy")):
        if isinstance(value, (int, float)):
            return float(value)
    return None


class BundleIndex:
    """The bundles under ``root``, re-read when a bundle's files change (retrain while serving)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self._cache: dict[str, tuple[tuple, Bundle]] = {}
        self._logged: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def problem(self) -> str | None:
        """Why there is nothing to serve (missing directory, no bundles), or None."""
        if not self.root.is_dir():
            return f"the bundle directory {self.root} does not exist: run `bash scripts/main.sh` to train and export"
        if not self.bundles():
            return f"no bundles in {self.root} (a bundle is a folder with a model.json): run `bash scripts/main.sh`"
        return None

    def bundles(self) -> list[Bundle]:
        """Every bundle, sorted by model then dtype (float32, float16, int8)."""
        if not self.root.is_dir():
            return []
        dirs = [d for d in sorted(self.root.iterdir()) if d.is_dir() and (d / MODEL_FILE).exists()]
        accuracies = _train_results([self.root, self.root.parent])
        out = []
        with self._lock:
            for d in dirs:
                key = _stat_key(d)
                cached = self._cache.get(d.name)
                if cached is None or cached[0] != key:
                    cached = (key, _read_bundle(d))
                    self._cache[d.name] = cached
                bundle = cached[1]
                bundle.test_accuracy = (bundle.metadata_accuracy if bundle.metadata_accuracy is not None
                                        else accuracies.get(d.name))
                self._log(bundle)
                out.append(bundle)
        order = {d: i for i, d in enumerate(DTYPE_SUFFIXES)}
        return sorted(out, key=lambda b: (b.model, order.get(b.dtype, 9), b.name))

    def get(self, name: str) -> Bundle | None:
        """The bundle called ``name`` (a directory name, never a path), or None."""
        return next((b for b in self.bundles() if b.name == name), None)

    def _log(self, bundle: Bundle) -> None:
        if bundle.error and (bundle.name, bundle.error) not in self._logged:
            self._logged.add((bundle.name, bundle.error))
            log.warning("bundle %s: %s", bundle.name, bundle.error)
