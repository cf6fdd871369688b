"""Reading bundle files with bounds: only regular files are opened (a FIFO or a directory named
model.json must not hang or crash the reader), and no file is read past the size it may have.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "f.bin").write_bytes(b"abcdef")
>>> read_bounded(d / "f.bin", limit=4, missing="ESHARD_MISSING", missing_message="no f.bin")
b'abcde'
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from webgrad.exporter.bundle_errors import BundleError

CHUNK = 1 << 20  # bytes per read: a file's size is checked while it streams, not after


def open_regular(file: Path, missing: str, missing_message: str) -> int:
    """A read-only descriptor of ``file``; ``missing`` code if it does not exist, EFETCH if it is not
    a regular file or cannot be opened. Opened non-blocking and then checked, so a FIFO put there
    (even after a stat) never blocks."""
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except (FileNotFoundError, NotADirectoryError) as e:
        raise BundleError(missing, missing_message) from e
    except OSError as e:
        if os.path.isdir(file):
            raise BundleError("EFETCH", f"{file}: is a directory; expected a file of the bundle") from e
        raise BundleError("EFETCH", f"{file}: cannot be read: {e.strerror or e}") from e
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        what = "a directory" if stat.S_ISDIR(mode) else "not a regular file (a FIFO, socket or device)"
        raise BundleError("EFETCH", f"{file}: is {what}; expected a file of the bundle")
    return fd


def file_size(fd: int) -> int:
    """The size the file system reports now (a file may still grow: reads stay bounded anyway)."""
    return os.fstat(fd).st_size


def read_bounded(file: Path, limit: int, missing: str, missing_message: str) -> bytes:
    """At most ``limit + 1`` bytes of ``file`` (one more than allowed tells the caller it is too long),
    read in chunks."""
    fd = open_regular(file, missing, missing_message)
    try:
        return read_fd(fd, file, limit + 1)
    finally:
        os.close(fd)


def read_fd(fd: int, file: Path, most: int) -> bytes:
    """Up to ``most`` bytes from ``fd``, in chunks; EFETCH on a read error."""
    parts, total = [], 0
    try:
        while total < most:
            chunk = os.read(fd, min(CHUNK, most - total))
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
    except OSError as e:
        raise BundleError("EFETCH", f"{file}: read failed: {e.strerror or e}") from e
    return b"".join(parts)


def read_into(fd: int, file: Path, view: memoryview) -> int:
    """Fills ``view`` from ``fd`` in chunks; returns how many bytes came before the end of the file."""
    pos = 0
    try:
        with os.fdopen(os.dup(fd), "rb", buffering=0) as f:
            while pos < len(view):
                n = f.readinto(view[pos:pos + CHUNK])
                if not n:
                    break
                pos += n
    except OSError as e:
        raise BundleError("EFETCH", f"{file}: read failed: {e.strerror or e}") from e
    return pos
