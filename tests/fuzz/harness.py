"""One fuzz case: a bundle's files written to a directory, loaded and self-tested by the Python
reader. The outcome is "valid" or a BundleError code; anything else is a finding."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np

from webgrad.exporter import BundleError, load_bundle
from webgrad.exporter.bundle_errors import CODES


def write_files(files: dict[str, bytes], path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (path / name).write_bytes(data)
    return path


def read_files(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}


def outcome(files: dict[str, bytes]) -> str:
    """"valid" (loaded, self-test and a predict passed) or the BundleError's code; any other exception
    propagates (a finding), as does a code outside the known set."""
    tmp = Path(tempfile.mkdtemp(prefix="wg-fuzz-"))
    try:
        path = write_files(files, tmp / "bundle")
        try:
            runner = load_bundle(path)
            runner.selftest()
            with np.errstate(all="ignore"):  # a mutated self-test input may hold any bytes
                runner.predict(_selftest_input(runner))
        except BundleError as e:
            if e.code not in CODES:
                raise AssertionError(f"BundleError with unknown code {e.code!r}: {e}") from e
            return e.code
        return "valid"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _selftest_input(runner) -> object:
    from webgrad.exporter.vectors import decode

    xs = [decode(t) for t in runner.bundle.manifest["selftest"]["inputs"]]
    return xs[0] if len(xs) == 1 else xs
