"""One version of a bundle, read as a whole: ``model.json`` and every shard it lists, each shard checked
against the byte length and SHA-256 that this very ``model.json`` declares.

A re-export can land between two reads (a new ``model.json`` committed after ours was read, a shard
replaced, for a moment the folder missing). So a read that is not consistent is repeated, after a short
growing pause, until it is (``ok``) or until two reads in a row see exactly the same thing — a bundle that
is broken for good, not one being rewritten (``broken``, served as it is: the browser's loader then names
the problem too), or no bundle at all (``absent``). A bundle still changing after every try has no
settled snapshot (``take_snapshot`` returns None: the server answers 503 with ``Retry-After``).

The bytes read go to a ``ContentStore`` under their SHA-256; a snapshot keeps only names, digests and
the identity of each file (inode, size, times), which tells cheaply whether the folder changed since.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .content_store import ContentStore
from .responses import sha256_hex
from .safe_read import ReadError, current_identity, open_bundle_dir, read_file

MODEL_FILE = "model.json"
BUNDLE_FORMAT = "webgrad-bundle"
MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024  # the loaders' maxModelJsonBytes default
MAX_BYTES = 1024 * 1024 * 1024  # the loaders' maxBytes default: total declared weight bytes
DTYPE_SUFFIXES = ("float32", "float16", "int8")
Identity = tuple[int, int, int, int] | None  # see safe_read.file_identity; None: missing


@dataclass(frozen=True)
class ServedFile:
    """A file the snapshot serves: the SHA-256 and size of its bytes (which the ``ContentStore`` may hold)."""

    sha256: str
    size: int


@dataclass
class Snapshot:
    """A settled read of the bundle folder ``name``: ``status`` is ``ok``, ``broken`` or ``absent``."""

    name: str
    status: str
    files: dict[str, ServedFile] = field(default_factory=dict)
    listed: frozenset[str] = frozenset()  # model.json and the shard names it lists (served or not)
    identities: dict[str, Identity] = field(default_factory=dict)
    error: str | None = None
    version: str | None = None  # SHA-256 of model.json
    exported: str | None = None
    dtype: str = "float32"
    metadata_accuracy: float | None = None
    trainable: bool = False  # model.json has a ``training`` section (formatVersion 2): the page can fine-tune it
    fingerprint: tuple = ()

    @property
    def bytes(self) -> int:
        """Bytes of the files served (model.json and shards)."""
        return sum(f.size for f in self.files.values())

    def unchanged(self, root: Path) -> bool:
        """Whether every file this snapshot read (or found missing) is still the same on disk."""
        return all(current_identity(root, self.name, f) == ident for f, ident in self.identities.items())


def is_plain_name(name: str) -> bool:
    """Whether ``name`` may be a bundle folder or a file in one: a single path component, not hidden
    (temporary and stale folders of an export start with a dot).

    >>> [is_plain_name(n) for n in ("mnist-int8", ".mnist.tmp-1", "a/b", "..", "")]
    [True, False, False, False, False]
    """
    return bool(name) and not name.startswith(".") and "/" not in name and "\\" not in name and "\0" not in name


def dtype_of(manifest: dict[str, Any], name: str) -> str:
    """The bundle's weight dtype: int8 if any tensor is quantized to int8, float16 if any is float16.

    >>> dtype_of({"weights": {"tensors": [{"dtype": "int8"}]}}, "m"), dtype_of({}, "m-float16")
    ('int8', 'float16')
    """
    weights = manifest.get("weights")
    tensors = weights.get("tensors", []) if isinstance(weights, dict) else []
    dtypes = {t.get("dtype") for t in tensors if isinstance(t, dict)} if isinstance(tensors, list) else set()
    for d in ("int8", "float16"):
        if d in dtypes:
            return d
    suffix = name.rsplit("-", 1)[-1]
    return suffix if suffix in DTYPE_SUFFIXES else "float32"


def accuracy_from_metadata(meta: Any) -> float | None:
    """A test accuracy recorded in the bundle's own metadata, if the exporter put one there.

    >>> accuracy_from_metadata({"evaluation": {"test_accuracy": 0.97}})
    0.97
    """
    if not isinstance(meta, dict):
        return None
    evaluation = meta.get("evaluation")
    for value in (meta.get("test_accuracy"), evaluation.get("test_accuracy") if isinstance(evaluation, dict) else None):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def _declared_shards(manifest: Any) -> list[Any] | str:
    """``weights.shards`` of a parsed webgrad manifest, or why it is not one."""
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        return f"not a webgrad bundle (format is not {BUNDLE_FORMAT!r})"
    weights = manifest.get("weights")
    shards = weights.get("shards") if isinstance(weights, dict) else None
    if not isinstance(shards, list):
        return "weights.shards is not a list"
    tokenizer = manifest.get("tokenizer")  # a text bundle's tokenizer.json: read and checked like a shard
    return [*shards, tokenizer] if isinstance(tokenizer, dict) else shards


def _check_shard(shard: Any, i: int) -> tuple[str, int, str] | str:
    """``(file, byteLength, sha256)`` of a shard entry, or why it cannot be served."""
    if not isinstance(shard, dict):
        return f"weights.shards[{i}] is not an object"
    file, size, sha = shard.get("file"), shard.get("byteLength"), shard.get("sha256")
    if not isinstance(file, str) or not is_plain_name(file) or file == MODEL_FILE:
        return f"weights.shards[{i}].file {str(file)[:80]!r} is not a plain file name"
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        return f"{file}: byteLength {str(size)[:40]!r} is not a byte count"
    if not isinstance(sha, str):
        return f"{file}: sha256 is not a string"
    return file, size, sha


def read_once(root: Path, name: str, store: ContentStore) -> Snapshot:
    """One read of the bundle folder ``root/name`` (see the module doc); never raises for bad content."""
    snap = Snapshot(name=name, status="absent", identities={MODEL_FILE: None})
    try:
        dir_fd = open_bundle_dir(root, name)
    except ReadError as p:
        snap.fingerprint = ("folder", p.kind)
        return snap
    try:
        return _read_folder(root, dir_fd, snap, store)
    finally:
        os.close(dir_fd)


def _read_folder(root: Path, dir_fd: int, snap: Snapshot, store: ContentStore) -> Snapshot:
    name = snap.name
    # taken before the read: if the file changes after, the snapshot no longer matches and is re-read
    before = current_identity(root, name, MODEL_FILE)
    try:
        got = read_file(dir_fd, MODEL_FILE, MAX_MODEL_JSON_BYTES, f"{name}/{MODEL_FILE}")
    except ReadError as p:
        snap.identities[MODEL_FILE] = before
        if p.kind == "missing":  # a folder without model.json is not a bundle
            snap.fingerprint = (MODEL_FILE, "missing")
            return snap
        snap.status, snap.error, snap.fingerprint = "broken", str(p), (MODEL_FILE, p.kind)
        return snap
    raw = got.data
    snap.version = sha256_hex(raw)
    snap.identities[MODEL_FILE] = got.identity
    snap.files[MODEL_FILE] = ServedFile(snap.version, len(raw))
    snap.listed = frozenset([MODEL_FILE])
    store.put(snap.version, raw)
    snap.exported = dt.datetime.fromtimestamp(got.mtime, dt.timezone.utc).isoformat(timespec="seconds")
    snap.status = "broken"
    snap.fingerprint = (snap.version,)
    try:
        manifest = json.loads(raw)
    except (ValueError, RecursionError) as e:  # not even JSON: a damaged bundle, reported as such
        snap.error = f"{name}/{MODEL_FILE}: not a valid bundle manifest: {e}"
        return snap
    shards = _declared_shards(manifest)
    if isinstance(shards, str):
        # valid JSON of another kind (a TF.js model folder): not ours to list
        snap.status, snap.files, snap.error = "absent", {}, f"{name}/{MODEL_FILE}: {shards}"
        return snap
    snap.dtype = dtype_of(manifest, name)
    snap.metadata_accuracy = accuracy_from_metadata(manifest.get("metadata"))
    snap.trainable = isinstance(manifest.get("training"), dict)
    problems = _read_shards(root, dir_fd, snap, shards, store)
    snap.fingerprint = (snap.version, *((f, s.sha256) for f, s in snap.files.items()), *problems)
    if problems:
        snap.error = "corrupt bundle: " + "; ".join(problems)
    else:
        snap.status = "ok"
    return snap


def _read_shards(root: Path, dir_fd: int, snap: Snapshot, shards: list[Any], store: ContentStore) -> list[str]:
    """Reads and checks every shard into ``snap``; returns the problems found."""
    checked = [_check_shard(s, i) for i, s in enumerate(shards)]
    problems = [c for c in checked if isinstance(c, str)]
    valid = [c for c in checked if not isinstance(c, str)]
    snap.listed = frozenset([MODEL_FILE, *(file for file, _, _ in valid)])
    declared = sum(size for _, size, _ in valid)
    if declared > MAX_BYTES:
        return [*problems, f"the shards declare {declared} bytes, more than the demo's limit of {MAX_BYTES}"]
    for file, size, sha in valid:
        where = f"{snap.name}/{file}"
        before = current_identity(root, snap.name, file)
        try:
            got = read_file(dir_fd, file, size, where)
        except ReadError as p:
            snap.identities[file] = before
            problems.append(str(p))
            continue
        digest = sha256_hex(got.data)
        snap.identities[file] = got.identity
        snap.files[file] = ServedFile(digest, len(got.data))
        store.put(digest, got.data)
        if len(got.data) != size:
            problems.append(f"{where}: {len(got.data)} bytes, model.json says {size}")
        elif digest != sha:
            problems.append(f"{where}: sha256 mismatch (model.json says {sha[:12]}..., "
                            f"the file hashes to {digest[:12]}...)")
    return problems


def take_snapshot(root: Path, name: str, store: ContentStore, attempts: int = 5,
                  backoff_s: float = 0.01) -> Snapshot | None:
    """A settled snapshot of ``root/name``, or None if it changed between every pair of reads.

    Reads up to ``attempts`` times, pausing ``backoff_s``, then twice that, and so on between reads.

    >>> import tempfile
    >>> take_snapshot(Path(tempfile.mkdtemp()), "nothing", ContentStore(1024)).status
    'absent'
    """
    previous: tuple | None = None
    for i in range(attempts):
        snap = read_once(root, name, store)
        if snap.status == "ok" or snap.fingerprint == previous:
            return snap
        previous = snap.fingerprint
        if i + 1 < attempts:
            time.sleep(backoff_s * 2**i)
    return None
