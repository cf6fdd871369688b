"""Synthetic bundles for the limit, scale and fuzz tests: written as files directly (no exporter), so
their size is not bounded by what the exporter or the numpy reference can do quickly."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np


def _encoded(name: str, a: np.ndarray) -> dict:
    return {"data": base64.b64encode(np.ascontiguousarray(a, "<f4").tobytes()).decode(), "dtype": "float32",
            "name": name, "shape": list(a.shape)}


def relu_chain_bundle(path: Path, nodes: int) -> Path:
    """A bundle of ``nodes`` Relu nodes in a chain (x [None, 4] -> y), no weights."""
    path.mkdir(parents=True, exist_ok=True)
    x = np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4)
    chain = [{"attrs": {}, "inputs": ["x" if i == 0 else f"t{i - 1}"], "name": f"relu{i}", "op": "Relu",
              "outputs": ["y" if i == nodes - 1 else f"t{i}"]} for i in range(nodes)]
    manifest = {
        "format": "webgrad-bundle", "formatVersion": 1, "opsetVersion": 1,
        "producer": {"name": "tests", "version": "0"},
        "signature": {"inputs": [{"dtype": "float32", "name": "x", "shape": [None, 4]}],
                      "outputs": [{"dtype": "float32", "name": "y", "shape": [None, 4]}]},
        "graph": {"nodes": chain},
        "weights": {"shards": [], "tensors": []},
        "metadata": {},
        "selftest": {"inputs": [_encoded("x", x)], "outputs": [_encoded("y", np.maximum(x, 0))],
                     "tolerance": {"atol": 0, "rtol": 0}},
    }
    (path / "model.json").write_text(json.dumps(manifest, separators=(",", ":")), encoding="utf-8")
    return path
