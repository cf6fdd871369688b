"""Correlation metrics, per sample along ``axis`` then averaged (Keras's ``PearsonCorrelation`` and
``ConcordanceCorrelation``).

>>> m = PearsonCorrelation()
>>> m.update_state([[1.0, 2.0, 3.0]], [[2.0, 4.0, 7.0]])
>>> round(m.result(), 4)
0.9934
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad.metrics.base import EPSILON
from webgrad.metrics.reduction import FixedMeanMetric, labels_and_predictions


def pearson_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> np.ndarray:
    """Pearson's r between ``y_true`` and ``y_pred`` along ``axis``."""
    t, p = labels_and_predictions(y_true, y_pred)
    t = t - np.mean(t, axis=axis, keepdims=True)
    p = p - np.mean(p, axis=axis, keepdims=True)
    t = t / np.std(t, axis=axis, keepdims=True)
    p = p / np.std(p, axis=axis, keepdims=True)
    return np.mean(t * p, axis=axis)


def concordance_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> np.ndarray:
    """Lin's concordance correlation along ``axis``, with Keras's covariance term."""
    t, p = labels_and_predictions(y_true, y_pred)
    t_mean, p_mean = np.mean(t, axis=axis, keepdims=True), np.mean(p, axis=axis, keepdims=True)
    t_var, p_var = np.var(t - t_mean, axis=axis, keepdims=True), np.var(p - p_mean, axis=axis, keepdims=True)
    covar = (t - p_mean) * (p - p_mean)  # Keras centres y_true on the prediction mean here
    norm = t_var + p_var + np.square(t_mean - p_mean)
    return np.mean(2 * covar / (norm + EPSILON), axis=axis)


class PearsonCorrelation(FixedMeanMetric):
    """Mean per-sample Pearson correlation."""

    config_args = ("axis",)

    def __init__(self, name: str = "pearson_correlation", dtype: str | None = None, axis: int = -1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class ConcordanceCorrelation(FixedMeanMetric):
    """Mean per-sample concordance correlation."""

    config_args = ("axis",)

    def __init__(self, name: str = "concordance_correlation", dtype: str | None = None, axis: int = -1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
