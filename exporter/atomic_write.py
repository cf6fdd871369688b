"""Puts a bundle's files into a directory without ever leaving it without a complete bundle.

``replace_bundle`` writes into the directory itself (never swaps the directory), so files it did not
write stay where they are: a README next to the bundle, a TF.js folder's ``index.html``. It replaces a
directory only when it can prove it holds a webgrad bundle (``model.json`` parses with ``format``
``"webgrad-bundle"``), and then only ``model.json`` and the shards that ``model.json`` lists. Any other
non-empty directory is refused with ``ExportTargetError`` (nothing touched) unless ``overwrite=True``,
which adds the bundle's files and replaces same-named ones but deletes nothing else.

Crash safety: ``model.json`` is the commit point, replaced atomically (temporary file, fsync, rename).
New shards are written first under names the old ``model.json`` does not use, so at every instant
(``kill -9`` or power loss included) the path holds a complete bundle, the old one or the new one:

1. write the new shards under interim names (``weights-<n>.bin`` above any name in the directory);
2. commit a ``model.json`` that lists them, then delete the old shards;
3. hard-link (copy where links fail) the interim shards to ``weights-000.bin``, ...; commit the final
   ``model.json``; delete the interim names. The final files are byte-identical for the same model.

When no old shard has a final name (first export, or a bundle without weights), step 3 alone is done.
Every file is first written as ``.webgrad.tmp-*`` and renamed into place, so a name is either absent
or complete. Before anything else a journal (``.webgrad-export-journal.json``) records the names the
export may leave behind; the next export (or the failing one, on an exception) deletes those that the
current ``model.json`` does not list, plus ``.webgrad.tmp-*`` files, and nothing else. Leftover
``.<name>.tmp-*`` / ``.<name>.old-*`` sibling folders of the previous directory-swapping writer are
removed after a successful commit.

Concurrency: an export holds an exclusive ``fcntl.flock`` on the bundle directory itself (no lock file
is created), so two exports to one path run one after the other; on systems without ``fcntl`` there is
no lock. A path that is a symlink to a directory is written through (into its target); a symlinked
file inside the directory named like a bundle file is replaced as a link, never written through.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> (d / "README.md").write_text("mine")
4
>>> render = lambda names: ('{"format": "webgrad-bundle", "weights": {"shards": [%s]}}'
...                         % ", ".join('{"file": "%s"}' % n for n in names)).encode()
>>> replace_bundle(d, render, [b"\\x00" * 16], overwrite=True)
>>> replace_bundle(d, render, [b"\\x01" * 16])  # a bundle now: replaced without overwrite
>>> sorted(p.name for p in d.iterdir()), (d / "weights-000.bin").read_bytes()[:1]
(['README.md', 'model.json', 'weights-000.bin'], b'\\x01')
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from webgrad.exporter.bundle_reader import FORMAT, MODEL_FILE, BundleError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: exports to one path are not serialized
    fcntl = None  # type: ignore[assignment]

TMP_PREFIX = ".webgrad.tmp-"
JOURNAL = ".webgrad-export-journal.json"
SHARD_RE = re.compile(r"weights-([0-9]{3,})\.bin\Z")
MAX_PROOF_BYTES = 64 << 20  # a model.json larger than this is not read to prove the directory is a bundle

# Tests set this to a function called with a label after every filesystem step (to kill the process there).
_step_hook: Callable[[str], None] | None = None


class ExportTargetError(BundleError, FileExistsError):
    """The export target holds something an export must not replace (``code`` ``"EARG"``); also a
    ``FileExistsError``."""

    def __init__(self, message: str):
        super().__init__("EARG", message)

    def __reduce__(self) -> tuple:
        return (type(self), (str(self),))


def replace_bundle(path: str | Path, manifest_for: Callable[[list[str]], bytes], shards: list[bytes], *,
                   overwrite: bool = False, write_file: Callable[[Path, bytes], None] | None = None) -> None:
    """Writes a bundle into directory ``path`` (see the module doc): ``shards[i]`` becomes
    ``weights-<i>.bin`` and ``manifest_for(shard_names)`` gives the ``model.json`` bytes that list them.
    ``write_file(path, data)`` creates one new file (default ``write_durably``).

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "b"
    >>> replace_bundle(d, lambda names: b'{"format": "webgrad-bundle"}', [])
    >>> [p.name for p in d.iterdir()]
    ['model.json']
    """
    path = Path(path)
    write_file = write_file or write_durably
    if path.is_symlink() and not path.exists():
        raise ExportTargetError(f"{path} is a symlink to {os.readlink(path)!r}, which does not exist")
    if path.exists() and not path.is_dir():
        raise ExportTargetError(f"{path} exists and is not a directory; refusing to replace it")
    created = not path.exists()
    path.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        try:
            _write(path, manifest_for, shards, overwrite, write_file)
        except BaseException:
            with contextlib.suppress(OSError):
                clean_leftovers(path)
                if created:
                    path.rmdir()  # only if empty: our own leftovers are gone, so nothing of anyone else's
            raise
    with contextlib.suppress(OSError):
        _remove_legacy_siblings(path)


def _write(path: Path, manifest_for: Callable[[list[str]], bytes], shards: list[bytes], overwrite: bool,
           write_file: Callable[[Path, bytes], None]) -> None:
    clean_leftovers(path)
    old = bundle_listing(path)
    existing = set(os.listdir(path))
    final = [f"weights-{i:03d}.bin" for i in range(len(shards))]
    if old is None and existing and not overwrite:
        raise ExportTargetError(
            f"{path} is not empty and is not a webgrad bundle ({_why_not_bundle(path)}); it holds "
            f"{_some(existing)}. Refusing to write there: pass overwrite=True (--overwrite) to add the bundle's "
            f"files, replacing only same-named ones, or choose an empty or new directory")
    listed = old or set()
    foreign = (set(final) & existing) - listed
    if foreign and not overwrite:
        raise ExportTargetError(
            f"{path}: the bundle there does not list {_some(foreign)}, which the new bundle would replace; "
            f"refusing (pass overwrite=True to replace them)")
    two_phase = bool(set(final) & listed)
    interim = final
    if two_phase:
        taken = [int(m.group(1)) for m in map(SHARD_RE.match, existing) if m]
        base = max([len(final), *(n + 1 for n in taken)])
        interim = [f"weights-{base + i:03d}.bin" for i in range(len(shards))]
    _write_journal(path, listed | ((set(interim) | set(final)) - existing))
    for name, data in zip(interim, shards, strict=True):
        _put(path, name, data, write_file)
    if two_phase:
        _fsync_dir(path)
        _put(path, MODEL_FILE, manifest_for(interim), write_file)
        _remove(path, sorted(listed))
        for src, dst in zip(interim, final, strict=True):
            _link(path, src, dst, write_file)
    _fsync_dir(path)
    _put(path, MODEL_FILE, manifest_for(final), write_file)
    _remove(path, sorted((listed | set(interim)) - set(final)))
    _remove(path, [JOURNAL])


def bundle_listing(path: Path) -> set[str] | None:
    """The shard names that ``path/model.json`` lists (only names of the ``weights-NNN.bin`` form), or
    None when the directory is not provably a webgrad bundle."""
    try:
        manifest = _read_manifest(path)
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return None
    shards = manifest.get("weights", {}).get("shards", []) if isinstance(manifest.get("weights"), dict) else []
    files = [s.get("file") for s in shards if isinstance(s, dict)] if isinstance(shards, list) else []
    return {f for f in files if isinstance(f, str) and SHARD_RE.match(f)}


def clean_leftovers(path: Path) -> None:
    """Deletes what a killed or failed export left in ``path``: ``.webgrad.tmp-*`` files and the names
    its journal recorded that the current ``model.json`` does not list; then the journal."""
    names = set()
    with contextlib.suppress(OSError, ValueError, RecursionError, TypeError):
        names = {n for n in json.loads((path / JOURNAL).read_text("utf-8"))["names"]
                 if isinstance(n, str) and SHARD_RE.match(n)}
    _remove(path, sorted(names - (bundle_listing(path) or set())))
    _remove(path, sorted(n for n in os.listdir(path) if n.startswith(TMP_PREFIX)))
    _remove(path, [JOURNAL])


def write_durably(path: Path, data: bytes) -> None:
    """Creates file ``path`` (never through an existing file or symlink) with ``data``, flushed to disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    with os.fdopen(fd, "wb") as f:
        half = len(data) // 2
        f.write(data[:half])
        if _step_hook is not None:
            f.flush()
            _step(f"half of {path.name}")
        f.write(data[half:])
        f.flush()
        os.fsync(f.fileno())


def _put(path: Path, name: str, data: bytes, write_file: Callable[[Path, bytes], None]) -> None:
    """``path/name`` = ``data``, atomically: a temporary file renamed over the name (a symlink there is
    replaced, not followed)."""
    tmp = path / f"{TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}-{name}"
    write_file(tmp, data)
    _step(f"wrote {tmp.name}")
    os.rename(tmp, path / name)
    _step(f"renamed to {name}")


def _link(path: Path, src: str, dst: str, write_file: Callable[[Path, bytes], None]) -> None:
    """``path/dst`` = the content of ``path/src``: a hard link (no copy), or a copy where links fail."""
    tmp = path / f"{TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}-{dst}"
    try:
        os.link(path / src, tmp, follow_symlinks=False)
    except OSError:
        write_file(tmp, (path / src).read_bytes())
    _step(f"linked {tmp.name}")
    os.rename(tmp, path / dst)
    _step(f"renamed to {dst}")


def _remove(path: Path, names: list[str]) -> None:
    """Unlinks the files (or symlinks) ``names`` in ``path`` that exist; never a directory."""
    for name in names:
        try:
            if stat.S_ISDIR(os.lstat(path / name).st_mode):
                continue
            os.unlink(path / name)
        except FileNotFoundError:
            continue
        _step(f"removed {name}")


def _write_journal(path: Path, names: set[str]) -> None:
    tmp = path / f"{TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}-journal"
    write_durably(tmp, json.dumps({"names": sorted(names)}).encode())
    os.rename(tmp, path / JOURNAL)
    _fsync_dir(path)
    _step("journal")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Holds an exclusive flock on directory ``path``; retries if the directory was replaced meanwhile
    (an export that created it and failed removes it)."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    while True:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with contextlib.suppress(FileNotFoundError):
                if os.path.samestat(os.fstat(fd), os.stat(path)):
                    break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
        path.mkdir(parents=True, exist_ok=True)
    try:
        yield
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Makes the renames in ``path`` durable (where the system can fsync a directory)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _read_manifest(path: Path) -> object:
    with open(path / MODEL_FILE, "rb") as f:
        data = f.read(MAX_PROOF_BYTES + 1)
    if len(data) > MAX_PROOF_BYTES:
        raise ValueError("too large")
    return json.loads(data.decode("utf-8"))


def _why_not_bundle(path: Path) -> str:
    if not (path / MODEL_FILE).exists():
        return f"no {MODEL_FILE}"
    try:
        manifest = _read_manifest(path)
    except (OSError, ValueError, RecursionError) as e:
        return f"{MODEL_FILE} cannot be read as JSON: {e}"
    got = manifest.get("format") if isinstance(manifest, dict) else None
    return f"{MODEL_FILE} has format {got!r}, not {FORMAT!r}"


def _some(names: set[str], n: int = 5) -> str:
    shown = sorted(names)
    return ", ".join(shown[:n]) + (f" and {len(shown) - n} more" if len(shown) > n else "")


def _remove_legacy_siblings(path: Path) -> None:
    """Deletes ``.<name>.tmp-*`` / ``.<name>.old-*`` folders left next to ``path`` by the old writer, which
    swapped whole directories; only real folders holding nothing but bundle files."""
    legacy = re.compile(rf"\.{re.escape(path.name)}\.(tmp|old)-[0-9]+-[0-9a-f]{{8}}\Z")
    for entry in os.scandir(path.parent):
        if not legacy.match(entry.name) or not entry.is_dir(follow_symlinks=False):
            continue
        inside = list(os.scandir(entry.path))
        if all(e.is_file(follow_symlinks=False) and (e.name == MODEL_FILE or SHARD_RE.match(e.name))
               for e in inside):
            shutil.rmtree(entry.path)


def _step(label: str) -> None:
    if _step_hook is not None:
        _step_hook(label)
