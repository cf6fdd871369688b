"""Reading a bundle's files without ever leaving its folder.

A bundle folder is opened by name relative to the bundle directory and each file by name relative to
that folder's descriptor, always with ``O_NOFOLLOW``: a symlink — as the bundle folder itself, as
``model.json`` or as a shard, pointing inside the folder or out of it — is refused, not followed.
Refusing every symlink (rather than resolving it and checking where it lands) has no check-then-open
race: a link swapped in between the check and the open cannot redirect the read. Only regular files
are read (``O_NONBLOCK`` so a FIFO planted as a shard cannot block the server), and never past a
limit the caller gives (a shard's declared ``byteLength``), so a huge or growing file costs at most
that much memory. Files are opened through ``io.open`` with an opener, one place to observe reads.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


class ReadError(Exception):
    """A file or folder that cannot be served; ``kind`` is ``missing``, ``symlink``, ``not-regular``,
    ``too-large`` or ``unreadable``, and the message names it relative to the bundle directory."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class FileRead:
    """The bytes read and the identity of the file they came from (see ``file_identity``)."""

    data: bytes
    identity: tuple[int, int, int, int]
    mtime: float


def file_identity(st: os.stat_result) -> tuple[int, int, int, int]:
    """What changes when a file is replaced or rewritten: inode, size, mtime and ctime (ns).

    >>> import os, tempfile
    >>> with tempfile.NamedTemporaryFile() as f:
    ...     len(file_identity(os.stat(f.name)))
    4
    """
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _problem(err: OSError, where: str) -> ReadError:
    if err.errno in (errno.ENOENT, errno.ENOTDIR):
        return ReadError("missing", f"{where}: missing")
    if err.errno == errno.ELOOP:
        return ReadError("symlink", f"{where}: a symlink (refused: the demo serves only real files inside the "
                                      f"bundle folder)")
    return ReadError("unreadable", f"{where}: cannot read: {err.strerror or type(err).__name__}")


def open_bundle_dir(root: Path, name: str) -> int:
    """A descriptor of the folder ``name`` directly under ``root`` (the caller closes it).

    Raises ``ReadError`` if it is missing, a symlink or not a folder.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp()); (root / "b").mkdir()
    >>> fd = open_bundle_dir(root, "b"); os.close(fd)
    >>> open_bundle_dir(root, "nope")
    Traceback (most recent call last):
    ...
    demo_app.safe_read.ReadError: nope: missing
    """
    root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=root_fd)
    except OSError as e:
        raise _problem(e, name) from None
    finally:
        os.close(root_fd)


def read_file(dir_fd: int, name: str, limit: int, where: str) -> FileRead:
    """Reads the regular file ``name`` in the folder ``dir_fd``, at most ``limit`` bytes.

    ``where`` names it in messages (relative, e.g. ``mnist-int8/weights-000.bin``). Raises
    ``ReadError`` for a missing file, a symlink, a non-regular file, one over ``limit`` bytes
    (by its size or by what it yields while read) or a read error.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp()); (root / "b").mkdir(); _ = (root / "b" / "f").write_bytes(b"abc")
    >>> fd = open_bundle_dir(root, "b")
    >>> read_file(fd, "f", 3, "b/f").data
    b'abc'
    >>> read_file(fd, "f", 2, "b/f")
    Traceback (most recent call last):
    ...
    demo_app.safe_read.ReadError: b/f: 3 bytes, more than the 2 expected
    >>> os.close(fd)
    """
    def opener(path: str, flags: int) -> int:
        return os.open(path, _FILE_FLAGS, dir_fd=dir_fd)

    try:
        with io.open(name, "rb", opener=opener) as f:  # noqa: UP020 (io.open: the one place reads go through)
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise ReadError("not-regular", f"{where}: not a regular file")
            if st.st_size > limit:
                raise ReadError("too-large", f"{where}: {st.st_size} bytes, more than the {limit} expected")
            data = f.read(limit + 1)  # one byte more shows a file that grew past its size while read
    except OSError as e:
        raise _problem(e, where) from None
    if len(data) > limit:
        raise ReadError("too-large", f"{where}: more than the {limit} bytes expected (it grew while read)")
    return FileRead(data, file_identity(st), st.st_mtime)


def current_identity(root: Path, name: str, file: str) -> tuple[int, int, int, int] | None:
    """The identity of ``root/name/file`` now (the link itself if it is one), None if it is gone.

    >>> current_identity(Path("/"), "nowhere", "model.json") is None
    True
    """
    try:
        return file_identity(os.lstat(root / name / file))
    except OSError:
        return None
