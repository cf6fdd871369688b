"""Writes the end-to-end fixtures for the Node test suite: bundles exported by Python and the numpy
runner's outputs for fixed inputs, so the npm package can be checked against the reference.

    python3 tests/node/make_fixtures.py OUTDIR

OUTDIR gets one bundle directory per model and quantization (``mlp-float32``, ``cnn-int8``, ...), the
inputs and the Python runner's outputs as little-endian float32 ``.bin`` files, ``digit.npy`` and
``digit.json`` (a raw 28x28 image in [0, 255] for the CLI) and ``fixtures.json`` describing it all.
Deterministic: the same webgrad gives the same files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

import webgrad as wg
from webgrad.exporter import load_bundle

QUANTIZE = (None, "float16", "int8")


def _mlp() -> wg.Model:
    inp = wg.Input((20,))
    h = wg.layers.Dense(32, activation="gelu")(inp)
    h = wg.layers.LayerNormalization()(h)
    h = wg.layers.Dense(16, activation="tanh")(h)
    out = wg.layers.Dense(5, activation="softmax")(h)
    return wg.Model(inp, out, name="mlp")


def _train_step(model: wg.Model, shape: tuple, classes: int, rng: np.random.Generator) -> None:
    """One optimizer step on random data, so BatchNorm statistics and weights are non-trivial."""
    x = rng.uniform(0, 1, (16, *shape)).astype(np.float32)
    y = rng.integers(0, classes, 16).astype(np.int32)
    model.compile(optimizer=wg.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)


def _models(rng: np.random.Generator) -> list[tuple[str, wg.Model, tuple, dict]]:
    digits = {"labels": [str(d) for d in range(10)], "preprocessing": {"scale": 1 / 255}}
    mlp = _mlp()
    _train_step(mlp, (20,), 5, rng)
    cnn = wg.zoo.mnist_cnn()
    mobile = wg.zoo.mobilenet_v2_style((16, 16, 3), classes=4, width=8)
    _train_step(mobile, (16, 16, 3), 4, rng)
    return [
        ("mlp", mlp, (3, 20), {"labels": ["a", "b", "c", "d", "e"]}),
        ("cnn", cnn, (2, 28, 28, 1), digits),
        ("mobilenet", mobile, (2, 16, 16, 3), {"labels": ["w", "x", "y", "z"]}),
    ]


def _write_bin(path: Path, a: np.ndarray) -> str:
    path.write_bytes(np.ascontiguousarray(a, dtype="<f4").tobytes())
    return path.name


def main(out: Path) -> None:
    """Writes every fixture into ``out`` (created if missing)."""
    out.mkdir(parents=True, exist_ok=True)
    wg.set_seed(7)
    rng = np.random.default_rng(7)
    cases = []
    for name, model, in_shape, meta in _models(rng):
        x = rng.uniform(0, 1, in_shape).astype(np.float32)
        x_file = _write_bin(out / f"{name}-input.bin", x)
        for q in QUANTIZE:
            label = f"{name}-{q or 'float32'}"
            wg.export(model, out / label, quantize=q, labels=meta["labels"],
                      preprocessing=meta.get("preprocessing"), verbose=0)
            y = np.asarray(load_bundle(out / label).predict(x))
            cases.append({"name": label, "bundle": label, "quantize": q or "float32", "input": x_file,
                          "inputShape": list(in_shape), "output": _write_bin(out / f"{label}-output.bin", y),
                          "outputShape": list(y.shape)})
    # A raw digit-like image for the CLI and classify(): pixels in [0, 255], batch of one.
    img = np.zeros((28, 28), np.uint8)
    img[6:22, 12:16] = 255
    img[4:8, 10:18] = rng.integers(100, 256, (4, 8))
    np.save(out / "digit.npy", img.reshape(1, 28, 28, 1))
    (out / "digit.json").write_text(json.dumps({"data": img.ravel().tolist(), "shape": [1, 28, 28, 1]}))
    probs = np.asarray(load_bundle(out / "cnn-float32").predict(img.reshape(1, 28, 28, 1).astype(np.float32) / 255))
    _write_bin(out / "digit-probs.bin", probs)
    (out / "fixtures.json").write_text(json.dumps({"cases": cases, "digit": {
        "npy": "digit.npy", "json": "digit.json", "probs": "digit-probs.bin", "bundle": "cnn-float32"}}, indent=1))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 tests/node/make_fixtures.py OUTDIR")
    main(Path(sys.argv[1]))
