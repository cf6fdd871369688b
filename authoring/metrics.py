"""Metrics: stateful accumulators over batches (``update_state`` / ``result`` / ``reset_state``).

>>> import numpy as np
>>> m = get("accuracy", loss_name="sparse_categorical_crossentropy")
>>> m.update_state(np.array([1, 0]), np.array([[0.2, 0.8], [0.3, 0.7]]))
>>> float(m.result())
0.5
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Metric:
    """Base: a running mean of a per-example score."""

    name = "metric"

    def __init__(self, name: str | None = None):
        if name:
            self.name = name
        self.reset_state()

    def reset_state(self) -> None:
        self._total = 0.0
        self._count = 0

    def scores(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def update_state(self, y_true: Any, y_pred: Any) -> None:
        s = self.scores(np.asarray(y_true), np.asarray(y_pred))
        self._total += float(s.sum())
        self._count += s.size

    def result(self) -> float:
        return self._total / self._count if self._count else 0.0


class SparseCategoricalAccuracy(Metric):
    """Share of examples whose top class equals the integer label."""

    name = "accuracy"

    def scores(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return (np.argmax(y_pred, axis=-1) == y_true.reshape(-1)).astype(np.float64)


class CategoricalAccuracy(Metric):
    """Share of examples whose top class equals the top class of the one-hot label."""

    name = "accuracy"

    def scores(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return (np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)).astype(np.float64)


class BinaryAccuracy(Metric):
    """Share of outputs on the right side of ``threshold``."""

    name = "accuracy"

    def __init__(self, threshold: float = 0.5, name: str | None = None):
        self.threshold = threshold
        super().__init__(name)

    def scores(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        return ((y_pred > self.threshold) == (y_true.reshape(y_pred.shape) > 0.5)).astype(np.float64).reshape(-1)


class TopKCategoricalAccuracy(Metric):
    """Share of examples whose label is among the ``k`` highest scores (integer or one-hot labels)."""

    name = "top_k_accuracy"

    def __init__(self, k: int = 5, name: str | None = None):
        self.k = int(k)
        super().__init__(name or f"top_{self.k}_accuracy")

    def scores(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        labels = np.argmax(y_true, axis=-1) if y_true.ndim == 2 and y_true.shape[1] > 1 else y_true.reshape(-1)
        k = min(self.k, y_pred.shape[-1])
        top = np.argpartition(-y_pred, k - 1, axis=-1)[:, :k]
        return (top == labels[:, None]).any(axis=1).astype(np.float64)


_NAMES = ["accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy",
          "top_k_accuracy", "sparse_top_k_categorical_accuracy", "top_k_categorical_accuracy"]


def get(name: str | Metric, loss_name: str | None = None) -> Metric:
    """A metric by name; ``accuracy`` picks its kind from the loss, like Keras. Unknown names list the
    valid ones.
    """
    if isinstance(name, Metric):
        return name
    if name in ("accuracy", "acc"):
        if loss_name == "binary_crossentropy":
            return BinaryAccuracy(name="accuracy")
        if loss_name == "categorical_crossentropy":
            return CategoricalAccuracy(name="accuracy")
        return SparseCategoricalAccuracy(name="accuracy")
    if name == "sparse_categorical_accuracy":
        return SparseCategoricalAccuracy(name=name)
    if name == "categorical_accuracy":
        return CategoricalAccuracy(name=name)
    if name == "binary_accuracy":
        return BinaryAccuracy(name=name)
    if name in ("top_k_accuracy", "sparse_top_k_categorical_accuracy", "top_k_categorical_accuracy"):
        return TopKCategoricalAccuracy(k=5, name=name)
    raise ValueError(f"unknown metric {name!r}; valid: {', '.join(_NAMES)} (or a Metric instance)")
