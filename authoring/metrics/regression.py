"""Regression metrics (Keras's formulas, averaged over the last axis, then over samples).

>>> m = MeanAbsoluteError()
>>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
>>> m.result()
0.25
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from webgrad.metrics.base import EPSILON, Metric
from webgrad.metrics.reduction import FixedMeanMetric, Mean, as_array, labels_and_predictions, same_rank


def mean_squared_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """``mean(square(y_true - y_pred), axis=-1)``."""
    t, p = labels_and_predictions(y_true, y_pred)
    return np.mean(np.square(t - p), axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """``mean(abs(y_true - y_pred), axis=-1)``."""
    t, p = labels_and_predictions(y_true, y_pred)
    return np.mean(np.abs(t - p), axis=-1)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)``."""
    t, p = labels_and_predictions(y_true, y_pred)
    return 100.0 * np.mean(np.abs((t - p) / np.maximum(np.abs(t), EPSILON)), axis=-1)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> np.ndarray:
    """``mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)``."""
    t, p = labels_and_predictions(y_true, y_pred)
    return np.mean(np.square(np.log(np.maximum(p, EPSILON) + 1.0) - np.log(np.maximum(t, EPSILON) + 1.0)), axis=-1)


def _unit(x: np.ndarray, axis: int) -> np.ndarray:
    """``x`` scaled to unit L2 norm along ``axis`` (norms below epsilon count as epsilon), as Keras."""
    return x * np.minimum(1.0 / np.sqrt(np.sum(np.square(x), axis=axis, keepdims=True)), 1.0 / EPSILON)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> np.ndarray:
    """``sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`` (the metric is positive; the loss negates)."""
    t, p = labels_and_predictions(y_true, y_pred)
    with np.errstate(divide="ignore"):
        return np.sum(_unit(t, axis) * _unit(p, axis), axis=axis)


def log_cosh(y_true: Any, y_pred: Any) -> np.ndarray:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed without overflow."""
    t, p = labels_and_predictions(y_true, y_pred)
    x = p - t
    return np.mean(x + np.logaddexp(0.0, -2.0 * x) - np.log(2.0), axis=-1)


class MeanSquaredError(FixedMeanMetric):
    """Mean of ``(y_true - y_pred) ** 2``."""

    def __init__(self, name: str = "mean_squared_error", dtype: str | None = None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(FixedMeanMetric):
    """Mean of ``abs(y_true - y_pred)``."""

    def __init__(self, name: str = "mean_absolute_error", dtype: str | None = None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(FixedMeanMetric):
    """Mean of ``100 * abs((y_true - y_pred) / y_true)``."""

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: str | None = None):
        super().__init__(mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(FixedMeanMetric):
    """Mean of ``(log(y_true + 1) - log(y_pred + 1)) ** 2``."""

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype: str | None = None):
        super().__init__(mean_squared_logarithmic_error, name=name, dtype=dtype)


class CosineSimilarity(FixedMeanMetric):
    """Mean cosine similarity between labels and predictions along ``axis``."""

    def __init__(self, name: str = "cosine_similarity", dtype: str | None = None, axis: int = -1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


class LogCoshError(FixedMeanMetric):
    """Mean of ``log(cosh(y_pred - y_true))``."""

    def __init__(self, name: str = "logcosh", dtype: str | None = None):
        super().__init__(log_cosh, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """``sqrt`` of the (weighted) mean of squared errors over every element.

    >>> m = RootMeanSquaredError()
    >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    >>> m.result()
    0.5
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        t, p = same_rank(as_array(y_true, self.dtype), as_array(y_pred, self.dtype))
        super().update_state(np.square(p - t), sample_weight=sample_weight)

    def result(self) -> float:
        return np.sqrt(super().result())


class R2Score(Metric):
    """The coefficient of determination over 2-D ``(batch, outputs)`` targets, from running sums.

    ``class_aggregation``: ``"uniform_average"`` (mean of the outputs' scores), ``"variance_weighted_average"``
    or None (one score per output); ``num_regressors > 0`` gives the adjusted R2.

    >>> m = R2Score()
    >>> m.update_state([[1.0], [2.0], [3.0]], [[1.0], [2.0], [4.0]])
    >>> m.result()
    0.5
    """

    def __init__(self, class_aggregation: str | None = "uniform_average", num_regressors: int = 0,
                 name: str = "r2_score", dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in (None, "uniform_average", "variance_weighted_average"):
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of (None, "
                             f"'uniform_average', 'variance_weighted_average'). Received: "
                             f"class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`. Expected a value >= 0. Received: "
                             f"num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(shape=(), initializer="zeros", name="num_samples")
        self._built = False

    def _build(self, true_shape: tuple, pred_shape: tuple) -> None:
        if len(pred_shape) != 2 or len(true_shape) != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
                             f"y_pred.shape={pred_shape} and y_true.shape={true_shape}.")
        n = pred_shape[-1]
        self.squared_sum = self.add_variable(shape=(n,), initializer="zeros", name="squared_sum")
        self.sum = self.add_variable(shape=(n,), initializer="zeros", name="sum")
        self.total_mse = self.add_variable(shape=(n,), initializer="zeros", name="residual")
        self.count = self.add_variable(shape=(n,), initializer="zeros", name="count")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        t, p = same_rank(as_array(y_true, self.dtype), as_array(y_pred, self.dtype))
        if not self._built:
            self._build(t.shape, p.shape)
        w = np.asarray(1 if sample_weight is None else as_array(sample_weight), self.dtype)
        w = np.broadcast_to(w[:, None] if w.ndim == 1 else w, t.shape)
        self.sum.assign_add(np.sum(t * w, axis=0))
        self.squared_sum.assign_add(np.sum(t * t * w, axis=0))
        self.total_mse.assign_add(np.sum((t - p) ** 2 * w, axis=0))
        self.count.assign_add(np.sum(w, axis=0))
        self.num_samples.assign_add(t.size)

    def result(self) -> Any:
        if not self._built:
            return 0.0
        total_sum, count = self.sum.data.astype(np.float64), self.count.data.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            total = self.squared_sum.data - total_sum * (total_sum / count)
            scores = 1 - self.total_mse.data / total
        scores = np.where(np.isinf(scores), 0.0, scores)
        if self.class_aggregation == "uniform_average":
            score: Any = np.mean(scores)
        elif self.class_aggregation == "variance_weighted_average":
            score = np.sum(total * scores) / np.sum(total)
        else:
            score = scores.astype(self.dtype)
        n, k = float(self.num_samples.data), self.num_regressors
        if k and k < n - 1:  # adjusted R2; Keras falls back to the plain score (with a warning) otherwise
            score = 1 - (1 - score) * (n - 1) / (n - k - 1)
        elif k:
            warnings.warn("Adjusted R2 score needs more datapoints than independent predictors + 1; "
                          "falling back to the standard R2 score", stacklevel=2)
        return score

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
