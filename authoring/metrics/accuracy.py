"""Accuracy metrics: the share of samples predicted right, by Keras's rules for each label format.

>>> import numpy as np
>>> m = SparseCategoricalAccuracy()
>>> m.update_state([2, 1], np.array([[0.1, 0.6, 0.3], [0.05, 0.95, 0.0]]))
>>> m.result()
0.5
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad.metrics.reduction import FixedMeanMetric, as_array, float_predictions, same_rank


def accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where ``y_true == y_pred`` exactly."""
    p = float_predictions(y_pred)
    t, p = same_rank(as_array(y_true, p.dtype), p)
    return (t == p).astype(np.float32)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """1 where ``(y_pred > threshold)`` equals the 0/1 label."""
    t, p = same_rank(as_array(y_true), float_predictions(y_pred))
    return (t == (p > threshold).astype(t.dtype)).astype(np.float32)


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where the top class of ``y_pred`` is the top class of the one-hot ``y_true``."""
    t = np.argmax(as_array(y_true), axis=-1)
    p = float_predictions(y_pred)
    shape = t.shape
    if t.ndim == p.ndim:
        t = t[..., 0]
    matches = (np.argmax(p, axis=-1) == t).astype(np.float32)
    return matches.reshape(shape) if len(shape) == p.ndim else matches


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where the top class of ``y_pred`` is the integer label."""
    p = float_predictions(y_pred)
    t = as_array(y_true, p.dtype)
    shape = t.shape
    squeezed = t.ndim == p.ndim and t.shape[-1] == 1
    if squeezed:
        t = t[..., 0]
    matches = (np.argmax(p, axis=-1).astype(t.dtype) == t).astype(np.float32)
    if squeezed:
        matches = matches.reshape(shape)
    return matches[..., 0] if matches.ndim > 1 and matches.shape[-1] == 1 else matches


def in_top_k(targets: np.ndarray, predictions: np.ndarray, k: int) -> np.ndarray:
    """Whether each target's score ranks within the top ``k`` (ties count in; a NaN score never)."""
    at_label = np.take_along_axis(predictions, targets[..., None].astype(np.int64), axis=-1)
    at_label = np.where(np.isnan(at_label), -np.inf, at_label)
    return 1 + np.sum(predictions > at_label, axis=-1) <= k


def _top_k_matches(labels: np.ndarray, p: np.ndarray, k: int, from_sorted_ids: bool = False) -> np.ndarray:
    shape = labels.shape
    if p.ndim > 2:
        p = p.reshape(-1, p.shape[-1])
    labels = labels.reshape(-1)
    hits = np.any(labels[:, None] == p[:, :k], axis=1) if from_sorted_ids else in_top_k(labels, p, k)
    return hits.astype(np.float32).reshape(shape)


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    """1 where the top class of the one-hot ``y_true`` is among the ``k`` highest scores."""
    return _top_k_matches(np.argmax(as_array(y_true), axis=-1), float_predictions(y_pred), k)


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False
                                      ) -> np.ndarray:
    """1 where the integer label is among the ``k`` highest scores (or, with ``from_sorted_ids``, among
    the first ``k`` class ids of ``y_pred``)."""
    return _top_k_matches(as_array(y_true).astype(np.int64), float_predictions(y_pred), k, from_sorted_ids)


class Accuracy(FixedMeanMetric):
    """How often predictions equal labels exactly."""

    def __init__(self, name: str = "accuracy", dtype: str | None = None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(FixedMeanMetric):
    """How often ``y_pred > threshold`` matches the 0/1 label."""

    config_args = ("threshold",)

    def __init__(self, name: str = "binary_accuracy", dtype: str | None = None, threshold: float = 0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(FixedMeanMetric):
    """How often the top predicted class is the one-hot label's class."""

    def __init__(self, name: str = "categorical_accuracy", dtype: str | None = None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(FixedMeanMetric):
    """How often the top predicted class is the integer label."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: str | None = None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(FixedMeanMetric):
    """How often the one-hot label's class is among the ``k`` highest scores."""

    config_args = ("k",)

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: str | None = None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(FixedMeanMetric):
    """How often the integer label is among the ``k`` highest scores."""

    config_args = ("k",)

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype: str | None = None,
                 from_sorted_ids: bool = False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        if self.from_sorted_ids:  # only when set, as Keras
            config["from_sorted_ids"] = True
        return config
