"""Confusion-matrix counting shared by the threshold metrics (TruePositives…, Precision, Recall, AUC).

Keras's rules: labels count as positive when non-zero, a prediction is positive above a threshold; with
evenly spaced thresholds predictions are bucketed (``ceil(p * (T - 1)) - 1``, in float32, as Keras does)
and counted by reverse cumulative sums instead of comparing against every threshold.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad.metrics.base import EPSILON, MetricVariable
from webgrad.metrics.reduction import as_array, same_rank

NEG_INF = -1e10  # what top_k filtering gives to the predictions it drops


def parse_thresholds(thresholds: Any, default: float) -> list[float]:
    """``thresholds`` as a list (``default`` when None), each checked to lie in [0, 1]."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, list | tuple | np.ndarray) else [thresholds]
    bad = [t for t in values if t is None or t < 0 or t > 1]
    if bad:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return [float(t) for t in values]


def evenly_distributed(thresholds: Any) -> bool:
    """Whether ``thresholds`` are ``0, 1/(n-1), …, 1`` (n >= 3): then bucketing counts the same, faster."""
    n = len(thresholds)
    if n < 3:
        return False
    return bool(np.allclose(thresholds, np.arange(n, dtype=np.float32) / (n - 1), atol=EPSILON))


def _filter_top_k(x: np.ndarray, k: int) -> np.ndarray:
    top = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    mask = np.zeros_like(x)
    np.put_along_axis(mask, top, 1.0, axis=-1)
    return x * mask + np.float32(NEG_INF) * (1 - mask)


def _broadcast_flat(w: np.ndarray, shape: tuple, flat: bool) -> np.ndarray:
    w = np.broadcast_to(w, shape)
    return w.reshape(-1) if flat else w


def _bucketed_counts(y_true: np.ndarray, y_pred: np.ndarray, n_thresholds: int, with_epsilon: bool,
                     weights: np.ndarray | float, multi_label: bool) -> dict[str, np.ndarray]:
    y_pred = np.clip(y_pred, 0.0, 1.0)
    positive = (y_true != 0).astype(np.float32)
    if not multi_label:
        positive, y_pred = positive.reshape(-1), y_pred.reshape(-1)
    true_w = positive * weights
    false_w = (1.0 - positive) * weights
    buckets = np.ceil(y_pred * np.float32(n_thresholds - 1)) - 1
    if with_epsilon:
        buckets = np.maximum(buckets, 0)
    buckets = buckets.astype(np.int64)

    def reverse_cumsum(w: np.ndarray) -> np.ndarray:
        w, b = (w.T, buckets.T) if multi_label else (w[None], buckets[None])
        sums = np.zeros((w.shape[0], n_thresholds), np.float64)
        for row, (wr, br) in enumerate(zip(w, b, strict=True)):
            keep = (br >= 0) & (br < n_thresholds)  # out-of-range buckets drop out, as in segment_sum
            sums[row] = np.bincount(br[keep], weights=wr[keep], minlength=n_thresholds)
        counts = np.cumsum(sums[:, ::-1], axis=1)[:, ::-1]
        return counts.T if multi_label else counts[0]

    tp, fp = reverse_cumsum(true_w), reverse_cumsum(false_w)
    axis = 0 if multi_label else None
    return {"tp": tp, "fp": fp, "tn": np.sum(false_w, axis=axis) - fp, "fn": np.sum(true_w, axis=axis) - tp}


def _compared_counts(y_true: np.ndarray, y_pred: np.ndarray, thresholds: np.ndarray,
                     weights: np.ndarray | None, multi_label: bool) -> dict[str, np.ndarray]:
    if multi_label:
        pred_pos = y_pred[None] > thresholds[:, None, None]  # (T, batch, labels)
        label_pos = np.broadcast_to((y_true != 0)[None], pred_pos.shape)
    else:
        pred_pos = y_pred.reshape(1, -1) > thresholds[:, None]  # (T, elements)
        label_pos = np.broadcast_to((y_true != 0).reshape(1, -1), pred_pos.shape)
        if weights is not None:
            weights = weights.reshape(1, -1)
    w = np.float32(1.0) if weights is None else weights

    def count(label: np.ndarray, pred: np.ndarray) -> np.ndarray:
        return np.sum(np.where(label & pred, w, 0).astype(np.float64), axis=1)

    return {"tp": count(label_pos, pred_pos), "fn": count(label_pos, ~pred_pos),
            "fp": count(~label_pos, pred_pos), "tn": count(~label_pos, ~pred_pos)}


def update_confusion_variables(variables: dict[str, MetricVariable], y_true: Any, y_pred: Any,
                               thresholds: Any, *, top_k: int | None = None, class_id: int | None = None,
                               sample_weight: Any = None, multi_label: bool = False,
                               label_weights: np.ndarray | None = None, evenly: bool = False) -> None:
    """Adds this batch's counts to ``variables`` (keys among ``tp``, ``fp``, ``tn``, ``fn``)."""
    y_true = as_array(y_true, np.float32)
    y_pred = as_array(y_pred, np.float32)
    thresholds = np.asarray(thresholds, np.float32)
    y_pred, y_true = same_rank(y_pred, y_true)
    weights = None
    if sample_weight is not None:
        weights = as_array(sample_weight, np.float32)[..., None]
        _, weights = same_rank(y_true, weights, expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {y_pred.shape}")
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    flat = not multi_label
    if weights is not None:
        weights = _broadcast_flat(weights, y_pred.shape, flat=False)
    if evenly:
        w: Any = np.float32(1.0) if weights is None else (weights.reshape(-1) if flat else weights)
        if label_weights is not None:
            w = w * _broadcast_flat(np.asarray(label_weights, np.float32)[None], y_pred.shape, flat)
        counts = _bucketed_counts(y_true, y_pred, len(thresholds), bool(thresholds[0] < 0 or thresholds[-1] > 1),
                                  w, multi_label)
    else:
        if label_weights is not None and not multi_label:
            lw = np.broadcast_to(np.asarray(label_weights, np.float32)[None], y_pred.shape)
            weights = lw if weights is None else weights * lw
        counts = _compared_counts(y_true, y_pred, thresholds, weights, multi_label)
    for key, variable in variables.items():
        variable.assign_add(counts[key])
