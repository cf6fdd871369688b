"""Shared helpers of the export-safety tests (test_export_safety.py, test_export_crash.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from webgrad.exporter.bundle_reader import read_bundle
from webgrad.exporter.bundle_writer import write_bundle


def snapshot(directory: Path) -> dict[str, bytes | str]:
    """Every entry under ``directory`` (recursively): file bytes, or the target of a symlink."""
    out: dict[str, bytes | str] = {}
    for p in sorted(directory.rglob("*")):
        key = str(p.relative_to(directory))
        if p.is_symlink():
            out[key] = f"-> {os.readlink(p)}"
        elif p.is_file():
            out[key] = p.read_bytes()
    return out


def write_seeded(graph, path, seed, **kw):
    """``write_bundle`` with metadata ``{"seed": seed}``, so ``seed_of`` can tell which export a path holds."""
    return write_bundle(graph, path, metadata={"seed": seed}, **kw)


def seed_of(path: Path, graphs: dict[int, object]) -> int:
    """Which export's bundle ``path`` holds (read and verified in full), by its metadata and weights."""
    bundle = read_bundle(path)
    seed = bundle.metadata["seed"]
    for name, value in graphs[seed].constants.items():
        np.testing.assert_array_equal(bundle.graph.constants[name], value)
    return seed


def tfjs_folder(path: Path) -> None:
    """A folder as TF.js exports it, next to a demo page: not a webgrad bundle."""
    path.mkdir()
    (path / "model.json").write_text(json.dumps({"format": "layers-model", "weightsManifest": []}))
    (path / "group1-shard1of1.bin").write_bytes(b"\x01\x02")
    (path / "index.html").write_text("<html>my demo</html>")
