"""Hinge metrics (Keras's formulas): labels in {0, 1} are read as {-1, 1}.

>>> m = Hinge()
>>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
>>> round(m.result(), 4)
1.3
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad.metrics.reduction import FixedMeanMetric, as_array


def _hinge_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    p = as_array(y_pred, np.float32)
    t = as_array(y_true, p.dtype)
    if np.all((t == 0) | (t == 1)):  # 0/1 labels become -1/1, as Keras converts them
        t = 2.0 * t - 1.0
    return t, p


def hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``."""
    t, p = _hinge_pair(y_true, y_pred)
    return np.mean(np.maximum(1.0 - t * p, 0.0), axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``."""
    t, p = _hinge_pair(y_true, y_pred)
    return np.mean(np.square(np.maximum(1.0 - t * p, 0.0)), axis=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> np.ndarray:
    """``maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` over the last axis."""
    p = as_array(y_pred, np.float32)
    t = as_array(y_true, p.dtype)
    return np.maximum(np.max((1.0 - t) * p, axis=-1) - np.sum(t * p, axis=-1) + 1.0, 0.0)


class Hinge(FixedMeanMetric):
    """Mean hinge loss."""

    def __init__(self, name: str = "hinge", dtype: str | None = None):
        super().__init__(hinge, name=name, dtype=dtype)


class SquaredHinge(FixedMeanMetric):
    """Mean squared hinge loss."""

    def __init__(self, name: str = "squared_hinge", dtype: str | None = None):
        super().__init__(squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(FixedMeanMetric):
    """Mean categorical hinge loss (one-hot labels)."""

    def __init__(self, name: str = "categorical_hinge", dtype: str | None = None):
        super().__init__(categorical_hinge, name=name, dtype=dtype)
