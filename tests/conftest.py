"""Shared fixtures: small, deterministic data so the suite stays fast on 2 cores."""

from __future__ import annotations

import numpy as np
import pytest

import webgrad as wg


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
