"""Reduction metrics: ``Sum``, ``Mean`` and ``MeanMetricWrapper`` (the mean of a per-sample function),
with Keras's rules for lining up labels, predictions and ``sample_weight``.

>>> m = Mean()
>>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
>>> m.result()
2.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from webgrad.metrics.base import Metric
from webgrad.tensor import Tensor


def as_array(x: Any, dtype: Any = None) -> np.ndarray:
    """A numpy view of a batch (numpy, list, webgrad Tensor or JAX array)."""
    arr = np.asarray(x.data if isinstance(x, Tensor) else x)
    return arr if dtype is None else arr.astype(dtype, copy=False)


def float_predictions(y_pred: Any) -> np.ndarray:
    """Predictions as a float array (float32 unless already floating), as Keras converts them."""
    p = as_array(y_pred)
    return p if np.issubdtype(p.dtype, np.floating) else p.astype(np.float32)


def labels_and_predictions(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Float predictions and labels cast to their dtype, lined up by ``same_rank``."""
    p = float_predictions(y_pred)
    return same_rank(as_array(y_true, p.dtype), p)


def same_rank(x1: np.ndarray, x2: np.ndarray, expand_rank_1: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Keras's ``squeeze_or_expand_to_same_rank``: when the ranks differ by one and the longer one ends
    in a dim of 1, squeeze that dim (or, for a rank-1 partner, expand the partner instead)."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def samplewise(values: np.ndarray, sample_weight: Any, reduce: Callable, dtype: str
               ) -> tuple[np.ndarray, np.ndarray | None]:
    """One value per sample (``reduce`` over the trailing axes), weighted; and the per-sample weights."""
    values = values.astype(dtype, copy=False)
    weights = None
    if sample_weight is not None:
        weights = as_array(sample_weight, dtype)
        values, weights = same_rank(values, weights)
        weight_ndim = weights.ndim
        if values.ndim > weight_ndim:
            values = reduce(values, axis=tuple(range(weight_ndim, values.ndim)))
        weights = np.broadcast_to(weights, values.shape)
        values = values * weights
        if weight_ndim > 1:
            weights = reduce(weights, axis=tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce(values, axis=tuple(range(1, values.ndim)))
    return values, weights


class Sum(Metric):
    """The (weighted) sum of the values seen.

    >>> m = Sum()
    >>> m.update_state([1, 3, 5, 7])
    >>> m.result()
    16.0
    """

    def __init__(self, name: str = "sum", dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, _ = samplewise(as_array(values), sample_weight, np.sum, self.dtype)
        self.total.assign_add(np.sum(values))

    def result(self) -> float:
        return self.total.data


class Mean(Metric):
    """The (weighted) mean of the values seen: ``total / count``.

    >>> m = Mean()
    >>> m.update_state([1, 3, 5, 7])
    >>> m.result()
    4.0
    """

    def __init__(self, name: str = "mean", dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values, weights = samplewise(as_array(values), sample_weight, np.mean, self.dtype)
        self.total.assign_add(np.sum(values))
        if weights is not None:
            self.count.assign_add(np.sum(weights))
        else:
            self.count.assign_add(values.shape[0] if values.ndim >= 1 else 1)

    def result(self) -> float:
        count = self.count.data
        return self.total.data / count if count != 0 else np.zeros((), self.dtype)


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)``, a per-sample function (numpy or webgrad ops).

    >>> import numpy as np
    >>> m = MeanMetricWrapper(lambda t, p: np.abs(np.asarray(t) - np.asarray(p)), name="l1")
    >>> m.update_state([0.0, 1.0], [0.5, 0.5])
    >>> m.result()
    0.5
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype: str | None = None, **kwargs: Any):
        super().__init__(name=name, dtype=dtype)  # type: ignore[arg-type]
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "fn": self._fn, **self._fn_kwargs}


class FixedMeanMetric(MeanMetricWrapper):
    """A ``MeanMetricWrapper`` whose function its class fixes (``MeanSquaredError``…): the config holds
    the constructor's own arguments, ``name``, ``dtype`` and those listed in ``config_args``, as Keras's."""

    config_args: ClassVar[tuple[str, ...]] = ()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, **{a: getattr(self, a) for a in self.config_args}}
