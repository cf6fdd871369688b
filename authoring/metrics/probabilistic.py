"""Probabilistic metrics: cross-entropies (the mean of webgrad's own losses, ``webgrad.losses``), KL
divergence and Poisson.

>>> import numpy as np
>>> m = SparseCategoricalCrossentropy()
>>> m.update_state([1], np.array([[0.5, 0.5]], np.float32))
>>> round(m.result(), 4)
0.6931
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad import losses as wg_losses
from webgrad.metrics.base import EPSILON
from webgrad.metrics.reduction import FixedMeanMetric, as_array
from webgrad.tensor import Tensor


def _loss_fn(loss: wg_losses.Loss) -> Any:
    def per_sample(y_true: Any, y_pred: Any) -> np.ndarray:
        return np.asarray(loss.call(as_array(y_true), Tensor(as_array(y_pred, np.float32))))

    return per_sample


def kl_divergence(y_true: Any, y_pred: Any) -> np.ndarray:
    """``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to [epsilon, 1]."""
    p = np.clip(as_array(y_pred, np.float32), EPSILON, 1)
    t = np.clip(as_array(y_true, p.dtype), EPSILON, 1)
    return np.sum(t * np.log(t / p), axis=-1)


def poisson(y_true: Any, y_pred: Any) -> np.ndarray:
    """``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``."""
    p = as_array(y_pred, np.float32)
    t = as_array(y_true, p.dtype)
    return np.mean(p - t * np.log(p + EPSILON), axis=-1)


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> np.ndarray:
    """Per-sample binary cross-entropy (mean over the last axis)."""
    _unsupported("binary_crossentropy", label_smoothing=(label_smoothing, 0), axis=(axis, -1))
    return _loss_fn(wg_losses.BinaryCrossentropy(from_logits=from_logits))(y_true, y_pred)


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0,
                             axis: int = -1) -> np.ndarray:
    """Per-sample cross-entropy against one-hot (or soft) labels."""
    _unsupported("categorical_crossentropy", label_smoothing=(label_smoothing, 0), axis=(axis, -1))
    return _loss_fn(wg_losses.CategoricalCrossentropy(from_logits=from_logits))(y_true, y_pred)


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                                    ignore_class: int | None = None, axis: int = -1) -> np.ndarray:
    """Per-sample cross-entropy against integer labels."""
    _unsupported("sparse_categorical_crossentropy", ignore_class=(ignore_class, None), axis=(axis, -1))
    return _loss_fn(wg_losses.SparseCategoricalCrossentropy(from_logits=from_logits))(y_true, y_pred)


def _unsupported(metric: str, **args: Any) -> None:
    for arg, (value, default) in args.items():
        if value != default:
            raise NotImplementedError(f"{metric}({arg}={value!r}) is not supported yet (only {arg}={default!r})")


class BinaryCrossentropy(FixedMeanMetric):
    """Mean binary cross-entropy (averaged over the last axis per sample)."""

    config_args = ("from_logits", "label_smoothing")

    def __init__(self, name: str = "binary_crossentropy", dtype: str | None = None, from_logits: bool = False,
                 label_smoothing: float = 0):
        _unsupported("BinaryCrossentropy", label_smoothing=(label_smoothing, 0))
        super().__init__(_loss_fn(wg_losses.BinaryCrossentropy(from_logits=from_logits)), name=name, dtype=dtype)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing


class CategoricalCrossentropy(FixedMeanMetric):
    """Mean cross-entropy against one-hot (or soft) labels."""

    config_args = ("from_logits", "label_smoothing", "axis")

    def __init__(self, name: str = "categorical_crossentropy", dtype: str | None = None, from_logits: bool = False,
                 label_smoothing: float = 0, axis: int = -1):
        _unsupported("CategoricalCrossentropy", label_smoothing=(label_smoothing, 0), axis=(axis, -1))
        super().__init__(_loss_fn(wg_losses.CategoricalCrossentropy(from_logits=from_logits)), name=name,
                         dtype=dtype)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class SparseCategoricalCrossentropy(FixedMeanMetric):
    """Mean cross-entropy against integer labels."""

    config_args = ("from_logits", "ignore_class", "axis")

    def __init__(self, name: str = "sparse_categorical_crossentropy", dtype: str | None = None,
                 from_logits: bool = False, ignore_class: int | None = None, axis: int = -1):
        _unsupported("SparseCategoricalCrossentropy", ignore_class=(ignore_class, None), axis=(axis, -1))
        super().__init__(_loss_fn(wg_losses.SparseCategoricalCrossentropy(from_logits=from_logits)), name=name,
                         dtype=dtype)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis


class KLDivergence(FixedMeanMetric):
    """Mean Kullback-Leibler divergence between label and predicted distributions."""

    def __init__(self, name: str = "kl_divergence", dtype: str | None = None):
        super().__init__(kl_divergence, name=name, dtype=dtype)


class Poisson(FixedMeanMetric):
    """Mean Poisson loss."""

    def __init__(self, name: str = "poisson", dtype: str | None = None):
        super().__init__(poisson, name=name, dtype=dtype)
