"""One rate at a fixed value of another, over ``num_thresholds`` evenly spaced thresholds (Keras's
``SensitivityAtSpecificity``, ``SpecificityAtSensitivity``, ``PrecisionAtRecall``, ``RecallAtPrecision``).

>>> m = PrecisionAtRecall(recall=0.5, num_thresholds=11)
>>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
>>> m.result()
1.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad.metrics.base import Metric
from webgrad.metrics.confusion import divide_no_nan
from webgrad.metrics.confusion_counts import update_confusion_variables


class _RateAtRate(Metric):
    """The best ``dependent`` rate among thresholds whose ``constrained`` rate reaches ``value``."""

    _value_arg = ""

    def __init__(self, value: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: str | None = None):
        if not 0 <= value <= 1:
            raise ValueError(f"Argument `{self._value_arg}` must be in the range [0, 1]. Received: "
                             f"{self._value_arg}={value}")
        if num_thresholds <= 0:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        super().__init__(name=name, dtype=dtype)
        setattr(self, self._value_arg, value)
        self.value = value
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds, self._evenly = [0.5], False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds, self._evenly = [0.0, *inner, 1.0], True
        n = len(self.thresholds)
        for cell in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, cell, self.add_variable(shape=(n,), initializer="zeros", name=cell))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        update_confusion_variables(
            {"tp": self.true_positives, "tn": self.true_negatives, "fp": self.false_positives,
             "fn": self.false_negatives},
            y_true, y_pred, self.thresholds, class_id=self.class_id, sample_weight=sample_weight,
            evenly=self._evenly)

    def _rates(self) -> dict[str, np.ndarray]:
        tp, fp = self.true_positives.data, self.false_positives.data
        tn, fn = self.true_negatives.data, self.false_negatives.data
        return {"sensitivity": divide_no_nan(tp, tp + fn), "specificity": divide_no_nan(tn, tn + fp),
                "precision": divide_no_nan(tp, tp + fp)}

    def _best(self, constrained: np.ndarray, dependent: np.ndarray) -> float:
        return float(np.max(np.where(constrained >= self.value, dependent, 0), initial=0))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "class_id": self.class_id, "num_thresholds": self.num_thresholds,
                self._value_arg: self.value}


class SensitivityAtSpecificity(_RateAtRate):
    """The best sensitivity (recall) where specificity >= ``specificity``."""

    _value_arg = "specificity"

    def __init__(self, specificity: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: str | None = None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self) -> float:
        r = self._rates()
        return self._best(r["specificity"], r["sensitivity"])


class SpecificityAtSensitivity(_RateAtRate):
    """The best specificity where sensitivity (recall) >= ``sensitivity``."""

    _value_arg = "sensitivity"

    def __init__(self, sensitivity: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: str | None = None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def result(self) -> float:
        r = self._rates()
        return self._best(r["sensitivity"], r["specificity"])


class PrecisionAtRecall(_RateAtRate):
    """The best precision where recall >= ``recall``."""

    _value_arg = "recall"

    def __init__(self, recall: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: str | None = None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self) -> float:
        r = self._rates()
        return self._best(r["sensitivity"], r["precision"])


class RecallAtPrecision(_RateAtRate):
    """The best recall where precision >= ``precision``."""

    _value_arg = "precision"

    def __init__(self, precision: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: str | None = None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self) -> float:
        r = self._rates()
        return self._best(r["precision"], r["sensitivity"])
