"""Threshold metrics: ``TruePositives``/``FalsePositives``/``TrueNegatives``/``FalseNegatives``,
``Precision``, ``Recall`` and ``AUC``, counted as Keras counts them (``confusion_counts``).

>>> m = Precision()
>>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
>>> round(m.result(), 4)
0.6667
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit

from webgrad.metrics.base import EPSILON, Metric
from webgrad.metrics.confusion_counts import NEG_INF, evenly_distributed, parse_thresholds, update_confusion_variables
from webgrad.metrics.reduction import as_array


def divide_no_nan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a / b``, 0 where ``b`` is 0."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))


class _ConfusionCount(Metric):
    """One cell of the confusion matrix, per threshold (0.5 by default)."""

    _cell = ""

    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = parse_thresholds(thresholds, 0.5)
        self._evenly = evenly_distributed(self.thresholds)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),), initializer="zeros", name="accumulator")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        update_confusion_variables({self._cell: self.accumulator}, y_true, y_pred, self.thresholds,
                                   sample_weight=sample_weight, evenly=self._evenly)

    def result(self) -> Any:
        return self.accumulator.data[0] if len(self.thresholds) == 1 else self.accumulator.data

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """The (weighted) count of positive labels predicted positive (``y_pred > threshold``)."""

    _cell = "tp"


class FalsePositives(_ConfusionCount):
    """The (weighted) count of negative labels predicted positive."""

    _cell = "fp"


class TrueNegatives(_ConfusionCount):
    """The (weighted) count of negative labels predicted negative."""

    _cell = "tn"


class FalseNegatives(_ConfusionCount):
    """The (weighted) count of positive labels predicted negative."""

    _cell = "fn"


class _PrecisionRecall(Metric):
    """``tp / (tp + other)`` per threshold, where ``other`` is ``fp`` (precision) or ``fn`` (recall)."""

    _other = ""

    def __init__(self, thresholds: Any = None, top_k: int | None = None, class_id: int | None = None,
                 name: str | None = None, dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        self.thresholds = parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        self._evenly = evenly_distributed(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), initializer="zeros", name="true_positives")
        other_name = {"fp": "false_positives", "fn": "false_negatives"}[self._other]
        setattr(self, other_name, self.add_variable(shape=(n,), initializer="zeros", name=other_name))
        self._other_variable = getattr(self, other_name)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        update_confusion_variables({"tp": self.true_positives, self._other: self._other_variable}, y_true, y_pred,
                                   self.thresholds, top_k=self.top_k, class_id=self.class_id,
                                   sample_weight=sample_weight, evenly=self._evenly)

    def result(self) -> Any:
        tp = self.true_positives.data
        value = divide_no_nan(tp, tp + self._other_variable.data).astype(self.dtype)
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """``tp / (tp + fp)``: of the predicted positives, how many are positive.

    ``top_k`` counts only each sample's ``k`` highest scores as predicted; ``class_id`` restricts the
    count to one class of a multi-class output.
    """

    _other = "fp"


class Recall(_PrecisionRecall):
    """``tp / (tp + fn)``: of the positives, how many are predicted positive."""

    _other = "fn"


_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = ("interpolation", "majoring", "minoring")


class AUC(Metric):
    """The area under the ROC or precision-recall curve, by Keras's Riemann sum over ``num_thresholds``.

    >>> m = AUC(num_thresholds=3)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> round(m.result(), 4)
    0.75
    """

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC", summation_method: str = "interpolation",
                 name: str | None = None, dtype: str | None = None, thresholds: Any = None,
                 multi_label: bool = False, num_labels: int | None = None, label_weights: Any = None,
                 from_logits: bool = False):
        if str(curve).lower() not in _CURVES:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC", "PRGAIN"]')
        if str(summation_method).lower() not in _SUMMATIONS:
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             'Expected values are ["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(parse_thresholds(thresholds, 0.5))
            self.num_thresholds = len(inner) + 2
            self._evenly = evenly_distributed(np.array([0.0, *inner, 1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: num_thresholds="
                                 f"{num_thresholds}")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        self._thresholds = np.array([0.0 - EPSILON, *inner, 1.0 + EPSILON])
        self.curve = _CURVES[str(curve).lower()]
        self.summation_method = str(summation_method).lower()
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else np.asarray(label_weights, np.float32)
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list[float]:
        """The thresholds, with the two end points just outside [0, 1]."""
        return [float(t) for t in self._thresholds]

    def _build(self, shape: tuple | None) -> None:
        if self.multi_label:
            if shape is None or len(shape) != 2:
                raise ValueError(f"`y_pred` must have rank 2 when `multi_label=True`. Full shape received for "
                                 f"`y_pred`: {shape}")
            self._num_labels = shape[1]
            var_shape: tuple = (self.num_thresholds, self._num_labels)
        else:
            var_shape = (self.num_thresholds,)
        for cell in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, cell, self.add_variable(shape=var_shape, initializer="zeros", name=cell))
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = as_array(y_pred, np.float32)
        if not self._built:
            self._build(y_pred.shape)
        if self._from_logits:
            y_pred = expit(y_pred).astype(np.float32)  # the sigmoid, without overflow for large logits
        update_confusion_variables(
            {"tp": self.true_positives, "tn": self.true_negatives, "fp": self.false_positives,
             "fn": self.false_negatives},
            y_true, y_pred, self._thresholds, sample_weight=sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights, evenly=self._evenly)

    def _average_labels(self, by_threshold: np.ndarray) -> float:
        if not self.multi_label:
            return float(np.sum(by_threshold))
        by_label = np.sum(by_threshold, axis=0)
        if self.label_weights is None:
            return float(np.mean(by_label))
        return float(divide_no_nan(np.sum(by_label * self.label_weights), np.sum(self.label_weights)))

    def _interpolate_pr_auc(self, tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> float:
        # Davis & Goadrich (2006): precision interpolated between thresholds, as Keras does
        n = self.num_thresholds
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        slope = divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[: n - 1] > 0) & (p[1:] > 0)
        ratio = np.where(both, divide_no_nan(p[: n - 1], np.maximum(p[1:], 0)), 1.0)
        increment = divide_no_nan(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0))
        return self._average_labels(increment)

    def result(self) -> float:
        if not self._built:
            return 0.0
        tp, fp = self.true_positives.data.astype(np.float64), self.false_positives.data.astype(np.float64)
        tn, fn = self.true_negatives.data.astype(np.float64), self.false_negatives.data.astype(np.float64)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc(tp, fp, fn)
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:  # PRGAIN
            scale = divide_no_nan(tp + fn, tn + fp)
            x = np.maximum(np.where(tp == 0, 0.0, 1.0 - scale * divide_no_nan(fn, tp)), 0.0)
            y = np.where(tp == 0, 1.0, 1.0 - scale * divide_no_nan(fp, tp))
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[: n - 1], y[1:])
        else:
            heights = np.maximum(y[: n - 1], y[1:])
        return self._average_labels((x[: n - 1] - x[1:]) * heights)

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
