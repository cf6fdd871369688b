"""Shared fixtures: small, deterministic data so the suite stays fast on 2 cores."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import webgrad as wg

# the tests' shared helpers (compare.py, wasm_harness.py) import by name under --import-mode=importlib
sys.path.insert(0, str(Path(__file__).parent))


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def playwright_session():
    """The session's one Playwright (sync API). It keeps an asyncio loop running for its whole life, so a
    second ``sync_playwright()`` in the same process fails: every test that drives Chromium starts it from
    this one (tests/browser/conftest.py's ``launch`` too). Skips without Chromium or Playwright."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: bash scripts/setup.sh installs Debian's chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]' installs playwright")
    pw = sync_api.sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture(autouse=True)
def _fresh_names_and_seed():
    wg.layers.clear_session()
    wg.set_seed(1234)
    yield


@pytest.fixture(scope="session")
def digits_data():
    """scikit-learn digits, flattened to 64 features in [0, 1]."""
    (x, y), (xt, yt) = wg.datasets.digits()
    f = lambda a: (a.reshape(len(a), -1) / 16.0).astype(np.float32)  # noqa: E731
    return f(x), y.astype(np.int32), f(xt), yt.astype(np.int32)


@pytest.fixture
def blobs():
    """Three well-separated Gaussian blobs in 5-D: any working classifier gets them right."""
    rng = np.random.default_rng(0)
    centers = rng.normal(0, 3, (3, 5))
    y = rng.integers(0, 3, 300).astype(np.int32)
    x = (centers[y] + rng.normal(0, 0.5, (300, 5))).astype(np.float32)
    return x, y


def _bundle_graph(kind: str, seed: int = 0, sizes: tuple = (20, 16, 5)):
    """A hand-built inference graph with random weights (bundle tests): ``"mlp"`` MatMul(relu)-MatMul-Softmax
    with layer ``sizes``; ``"cnn"`` Conv2D(relu, SAME)-MaxPool2D-Flatten-MatMul-Softmax on 8x8x1 images."""
    from webgrad.exporter.graph import Graph, Node, TensorSpec

    rng = np.random.default_rng(seed)

    def f(*shape, scale=0.3):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    if kind == "mlp":
        n_in, hidden, n_out = sizes
        nodes = [Node("dense_1", "MatMul", ["x", "dense_1/w", "dense_1/b"], ["h"], {"activation": "relu"}),
                 Node("dense_2", "MatMul", ["h", "dense_2/w", "dense_2/b"], ["logits"]),
                 Node("softmax", "Softmax", ["logits"], ["probs"])]
        consts = {"dense_1/w": f(n_in, hidden), "dense_1/b": f(hidden, scale=0.1),
                  "dense_2/w": f(hidden, n_out), "dense_2/b": f(n_out, scale=0.1)}
        return Graph([TensorSpec("x", "float32", (None, n_in))], [TensorSpec("probs", "float32", (None, n_out))],
                     nodes, consts)
    nodes = [Node("conv", "Conv2D", ["image", "conv/w", "conv/b"], ["c"], {"activation": "relu", "padding": "SAME"}),
             Node("pool", "MaxPool2D", ["c"], ["p"]),
             Node("flatten", "Flatten", ["p"], ["flat"]),
             Node("dense", "MatMul", ["flat", "dense/w", "dense/b"], ["logits"]),
             Node("softmax", "Softmax", ["logits"], ["probs"])]
    consts = {"conv/w": f(3, 3, 1, 4), "conv/b": f(4, scale=0.1), "dense/w": f(64, 5), "dense/b": f(5, scale=0.1)}
    return Graph([TensorSpec("image", "float32", (None, 8, 8, 1))], [TensorSpec("probs", "float32", (None, 5))],
                 nodes, consts)


@pytest.fixture
def bundle_graph():
    """Factory of small hand-built graphs for bundle tests: ``bundle_graph("mlp")``, ``bundle_graph("cnn")``."""
    return _bundle_graph


@pytest.fixture
def randomize_batchnorm():
    """Gives every BatchNormalization layer of a model random (but valid) gamma, beta, mean and variance,
    so folding and loading are tested on non-trivial statistics."""

    def apply(model, seed=7):
        rng = np.random.default_rng(seed)
        for layer in model.layers:
            if isinstance(layer, wg.layers.BatchNormalization):
                c = layer.gamma.shape[0]
                layer.set_weights([rng.uniform(0.5, 1.5, c), rng.uniform(-0.5, 0.5, c), rng.uniform(-0.3, 0.3, c),
                                   rng.uniform(0.5, 2, c)])
        return model

    return apply
