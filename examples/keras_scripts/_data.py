"""Data for the Keras-style scripts, from installed packages only (no downloads): the same arrays
whichever library a script runs under. Sizes are cut so every script runs in seconds on 2 cores."""

from __future__ import annotations

import numpy as np

from webgrad import datasets

Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def mnist(n_train: int = 2000, n_test: int = 500) -> Split:
    """MNIST as ``keras.datasets.mnist.load_data()`` returns it (uint8 images, uint8 labels), cut."""
    (x_train, y_train), (x_test, y_test) = datasets.mnist()
    return (x_train[:n_train], y_train[:n_train]), (x_test[:n_test], y_test[:n_test])


def blobs(n: int = 1200, features: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A binary problem with some overlap: two Gaussian clouds, float32 features, int labels."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(size=(n, features)).astype("float32") + (y[:, None] * 0.8).astype("float32")
    return x, y.astype("int32")


def token_sequences(n: int = 1500, vocab: int = 200, seed: int = 0) -> tuple[list[list[int]], np.ndarray]:
    """Variable-length token-id lists; class 1 uses the upper half of the vocabulary more often."""
    rng = np.random.default_rng(seed)
    seqs, labels = [], []
    for _ in range(n):
        label = int(rng.integers(0, 2))
        length = int(rng.integers(5, 40))
        lo, hi = (1, vocab) if label == 0 else (vocab // 3, vocab)
        seqs.append([int(t) for t in rng.integers(lo, hi, length)])
        labels.append(label)
    return seqs, np.array(labels, dtype="int32")
