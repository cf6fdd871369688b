"""Expected losses and gradients of the training graphs of tests/node/_train_graphs.mjs.

Usage: ``python3 make_grad_fixtures.py GRAPHS.json OUT_DIR``. Builds each graph with webgrad's numpy ops
(``webgrad.raw_ops.apply``) on seeded random inputs and weights, takes the mean of the loss graph's
per-example loss and its gradients with ``webgrad.autodiff.gradients``, and writes ``OUT_DIR/grads.json``
with the inputs, weights, labels, loss and gradients (float32 values as JSON numbers).
"""

from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from webgrad import raw_ops as ops
from webgrad.autodiff import gradients
from webgrad.tensor import Tensor, Variable


def _values(rng: np.random.Generator, spec: dict[str, Any]) -> np.ndarray:
    if "value" in spec:
        return np.full(spec["shape"], spec["value"], np.float32)
    x = rng.uniform(-1, 1, size=spec["shape"]).astype(np.float32)
    return (np.abs(x) + 0.5).astype(np.float32) if spec.get("positive") else x


def build(name: str, g: dict[str, Any]) -> dict[str, Any]:
    """Runs graph ``g`` forward and backward; returns its fixture."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    batch, classes = g["batch"], g["classes"]
    feed: dict[str, np.ndarray] = {}
    for spec in g["inputs"]:
        feed[spec["name"]] = rng.uniform(-1, 1, size=[batch, *spec["shape"][1:]]).astype(np.float32)
    labels = np.eye(classes, dtype=np.float32)[rng.integers(0, classes, size=batch)]
    weights = {w: _values(rng, spec) for w, spec in g["weights"].items()}
    trainable = [w for w, s in g["weights"].items() if s.get("trainable", True) and "value" not in s]
    env: dict[str, Any] = {k: Tensor(v) for k, v in feed.items()}
    env["labels"] = Tensor(labels)
    variables = {w: Variable(weights[w], w) for w in trainable}
    for w, v in weights.items():
        env[w] = variables.get(w, Tensor(v))
    for node in [*g["nodes"], *g["loss"]["nodes"]]:
        args = [env[i] if i else None for i in node["inputs"]]
        env[node["outputs"][0]] = ops.apply(node["op"], *args, **node["attrs"])
    loss = ops.ReduceMean(env[g["loss"]["output"]])
    grads = gradients(loss, [variables[w] for w in trainable])
    return {
        "inputs": {k: v.ravel().tolist() for k, v in feed.items()},
        "labels": labels.ravel().tolist(),
        "weights": {k: v.ravel().tolist() for k, v in weights.items()},
        "loss": float(loss.data),
        "predictions": {s["name"]: env[s["name"]].data.ravel().tolist() for s in g["outputs"]},
        "grads": {w: gr.ravel().tolist() for w, gr in zip(trainable, grads, strict=True)},
    }


def main() -> None:
    graphs = json.loads(Path(sys.argv[1]).read_text())
    out = Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    fixtures = {name: build(name, g) for name, g in graphs.items()}
    (out / "grads.json").write_text(json.dumps(fixtures))


if __name__ == "__main__":
    main()
