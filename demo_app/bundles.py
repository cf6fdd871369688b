"""The bundles the demo serves: the folders of the bundle directory whose ``model.json`` is a webgrad
manifest, each served as one consistent snapshot (``snapshot.py``).

- **Listing** (``bundles``): folders whose name starts with a dot (an export's temporary and stale
  folders), symlinked folders, folders without ``model.json`` or with another kind of ``model.json``, and
  folders still being written (no settled snapshot yet) are left out. A bundle that is broken for good
  (damaged JSON, a shard missing, of the wrong size or failing its SHA-256, a symlinked file) is listed
  with its ``error`` and its readable files are still served, so the browser's loader names the problem too.
- **Serving** (``file``): a file comes from the bundle's current snapshot, with its SHA-256 as the ETag
  (the hash of exactly the bytes sent). A client that wants the shard *its* ``model.json`` declared asks
  with ``?sha256=<hex>`` and gets those bytes while the server still holds them (a recent version), or a
  404 — never other bytes. Without it, a shard request gets the current version; a client holding an
  older ``model.json`` then sees a different ETag, and the loader's SHA-256 check rejects the mixed set.
  A name the current ``model.json`` does not list at all (an export's interim ``weights-NNN.bin``) is
  answered from the newest held consistent version that listed it.
- **Re-export**: a snapshot is re-read when any of its files changes on disk (inode, size, times); one
  thread re-reads a bundle while the others wait for its result; if the folder keeps changing, the
  last consistent snapshot is served, or ``BundleBusyError`` (503 with ``Retry-After``) if there is none.
- **Privacy**: names in the listing, in errors and in log lines are relative to the bundle directory.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections import deque
from pathlib import Path
from typing import Any

from .content_store import ContentStore
from .responses import sha256_hex
from .safe_read import ReadError, open_bundle_dir, read_file
from .snapshot import DTYPE_SUFFIXES, ServedFile, Snapshot, is_plain_name, take_snapshot

DEFAULT_CACHE_BYTES = 256 * 1024 * 1024
RECENT_VERSIONS = 16  # versions per bundle whose files ``?sha256=`` can still name (bytes: within cache_bytes)
TRAINABLE_SUFFIX = "trainable"  # a trainable export (``wg.export(..., trainable=True)``): mnist_cnn-trainable
log = logging.getLogger("demo_app")


class BundleBusyError(Exception):
    """The bundle is being rewritten and no consistent snapshot of it is held: ask again shortly."""

    retry_after_s = 1


def display_name(path: Path) -> str:
    """How a server path is shown to clients: relative to the working directory, else its last part.

    >>> display_name(Path.cwd() / "build" / "bundles"), display_name(Path("/srv/secret/bundles"))
    ('build/bundles', 'bundles')
    """
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(path).name


def model_of(name: str) -> str:
    """The model a bundle belongs to: its name without a ``-float32``/``-float16``/``-int8``/``-trainable``
    suffix.

    >>> model_of("mnist_cnn-int8"), model_of("mnist_cnn-trainable"), model_of("mnist_cnn")
    ('mnist_cnn', 'mnist_cnn', 'mnist_cnn')
    """
    base, _, suffix = name.rpartition("-")
    return base if base and (suffix in DTYPE_SUFFIXES or suffix == TRAINABLE_SUFFIX) else name


def entry_json(snap: Snapshot, test_accuracy: float | None) -> dict[str, Any]:
    """The bundle's entry in ``/api/bundles``."""
    return {"name": snap.name, "model": model_of(snap.name), "dtype": snap.dtype, "url": f"bundles/{snap.name}/",
            "version": snap.version, "bytes": snap.bytes, "files": sorted(snap.files), "exported": snap.exported,
            "testAccuracy": test_accuracy, "trainable": snap.trainable, "ok": snap.status == "ok",
            "error": snap.error}


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


class BundleIndex:
    """The bundles under ``root`` (see the module doc), file bytes held within ``cache_bytes``.

    >>> import tempfile
    >>> index = BundleIndex(Path(tempfile.mkdtemp()))
    >>> index.bundles(), index.file("mnist", "model.json")
    ([], None)
    """

    def __init__(self, root: Path, cache_bytes: int = DEFAULT_CACHE_BYTES, attempts: int = 5,
                 backoff_s: float = 0.01) -> None:
        self.root = Path(root).resolve()
        self.label = display_name(Path(root))
        self.store = ContentStore(cache_bytes)
        self.attempts, self.backoff_s = attempts, backoff_s
        self._current: dict[str, Snapshot] = {}
        self._stale: set[str] = set()
        self._recent: dict[str, deque[Snapshot]] = {}
        self._unsettled: set[str] = set()  # bundles whose last read never settled
        self._takes: dict[str, int] = {}  # reads per bundle, so threads that waited use the read they waited on
        self._locks = [threading.Lock() for _ in range(64)]  # striped: bounded however many names are asked for
        self._state = threading.Lock()
        self._logged: dict[str, str] = {}  # the last message logged per bundle: bounded by the folders

    def problem(self) -> str | None:
        """Why there is nothing to serve (missing directory, no bundles), or None."""
        if not self.root.is_dir():
            return f"the bundle directory {self.label} does not exist: run `bash scripts/main.sh` to train and export"
        if not self.bundles():
            return f"no bundles in {self.label} (a bundle is a folder with a model.json): run `bash scripts/main.sh`"
        return None

    def bundles(self) -> list[dict[str, Any]]:
        """Every listed bundle's entry (``entry_json``), sorted by model then dtype (float32, float16, int8)."""
        try:
            entries = sorted(os.scandir(self.root), key=lambda e: e.name)
        except OSError:
            return []
        accuracies = _train_results([self.root, self.root.parent])
        out = []
        for e in entries:
            if not is_plain_name(e.name):
                continue  # an export's temporary or stale folder
            if e.is_symlink():
                self._log_once(e.name, "a symlinked folder: not served (only real folders are)")
                continue
            if not e.is_dir(follow_symlinks=False):
                continue
            try:
                snap = self.snapshot(e.name)
            except BundleBusyError:
                continue  # being written and never seen whole: not listed yet
            if snap is not None:
                accuracy = snap.metadata_accuracy if snap.metadata_accuracy is not None else accuracies.get(snap.name)
                out.append(entry_json(snap, accuracy))
        order = {d: i for i, d in enumerate(DTYPE_SUFFIXES)}
        return sorted(out, key=lambda b: (b["model"], order.get(b["dtype"], 9), b["name"]))

    def snapshot(self, name: str) -> Snapshot | None:
        """The settled snapshot served for bundle ``name`` (``ok`` or ``broken``), None if there is no such
        bundle; raises ``BundleBusyError`` when it is being rewritten and no consistent version is held."""
        if not is_plain_name(name):
            return None
        held = self._current.get(name)
        if held is not None and name not in self._stale and held.unchanged(self.root):
            return held
        seen = self._takes.get(name, 0)
        with self._locks[hash(name) % len(self._locks)]:  # one reader per bundle; the others get its result
            if self._takes.get(name, 0) != seen:  # read (or found changing) while this thread waited
                held = self._current.get(name)
                return self._fallback(name, held) if name in self._unsettled else held
            held = self._current.get(name)
            if held is not None and name not in self._stale and held.unchanged(self.root):
                return held
            if held is None and not os.path.lexists(self.root / name):
                return None  # never a bundle: no need to wait for it to settle
            snap = take_snapshot(self.root, name, self.store, self.attempts, self.backoff_s)
            self._takes[name] = seen + 1
            if snap is None:
                self._unsettled.add(name)
                return self._fallback(name, held)
            self._remember(snap)
            return None if snap.status == "absent" else snap

    def file(self, name: str, file: str, sha256: str | None = None) -> tuple[bytes, str] | None:
        """``(bytes, sha256 hex)`` of ``file`` in bundle ``name`` as its snapshot serves it, or None (404).

        With ``sha256``: only those bytes, from the current or a recent version of the bundle. Raises
        ``BundleBusyError`` (503) when the bundle is being rewritten and no consistent version is held.
        """
        if not is_plain_name(name) or not is_plain_name(file):
            return None
        if sha256 is not None:
            with contextlib.suppress(BundleBusyError):
                self.snapshot(name)  # so that a version committed since is known
            return self._held_version(name, file, sha256)
        for _ in range(2):
            snap = self.snapshot(name)
            if snap is None:
                return None
            served = snap.files.get(file)
            if served is None:  # listed but unreadable: 404; not listed now: maybe by a version just replaced
                return None if file in snap.listed else self._held_version(name, file)
            data = self._bytes(name, file, served)
            if data is not None:
                return data, served.sha256
            with self._state:  # evicted and changed on disk since: read the bundle again
                if self._current.get(name) is snap:
                    self._stale.add(name)
        raise BundleBusyError(name)

    def _held_version(self, name: str, file: str, sha256: str | None = None) -> tuple[bytes, str] | None:
        """``file`` as served by the newest held version of the bundle that has it: any version whose
        digest for it is ``sha256``, else only consistent ones."""
        with self._state:
            versions = [*filter(None, [self._current.get(name)]), *reversed(self._recent.get(name, ()))]
        for snap in versions:
            served = snap.files.get(file)
            if served is not None and (served.sha256 == sha256 or (sha256 is None and snap.status == "ok")):
                data = self._bytes(name, file, served)
                return (data, served.sha256) if data is not None else None
        return None

    def _bytes(self, name: str, file: str, served: ServedFile) -> bytes | None:
        """The bytes of ``served``: held in memory, or read again from disk if they still hash the same."""
        data = self.store.get(served.sha256)
        if data is not None:
            return data
        try:
            dir_fd = open_bundle_dir(self.root, name)
        except ReadError:
            return None
        try:
            data = read_file(dir_fd, file, served.size, f"{name}/{file}").data
        except ReadError:
            return None
        finally:
            os.close(dir_fd)
        if sha256_hex(data) != served.sha256:
            return None
        self.store.put(served.sha256, data)
        return data

    def _fallback(self, name: str, held: Snapshot | None) -> Snapshot:
        """While a bundle keeps changing: its last consistent snapshot, else ``BundleBusyError``."""
        if held is not None and held.status == "ok":
            return held
        raise BundleBusyError(name)

    def _remember(self, snap: Snapshot) -> None:
        with self._state:
            self._stale.discard(snap.name)
            self._unsettled.discard(snap.name)
            if snap.status == "absent":
                self._current.pop(snap.name, None)
                self._recent.pop(snap.name, None)
                return
            self._current[snap.name] = snap
            recent = self._recent.setdefault(snap.name, deque(maxlen=RECENT_VERSIONS))
            if not recent or recent[-1].version != snap.version:
                recent.append(snap)
        if snap.error:
            self._log_once(snap.name, snap.error)

    def _log_once(self, name: str, message: str) -> None:
        if self._logged.get(name) != message:
            self._logged[name] = message
            log.warning("bundle %s: %s", name, message)

