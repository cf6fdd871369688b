"""``FBetaScore`` and ``F1Score`` over 2-D ``(batch, classes)`` labels and predictions, Keras's way.

>>> import numpy as np
>>> m = F1Score(average="micro", threshold=0.5)
>>> m.update_state(np.array([[1, 0], [0, 1]]), np.array([[0.9, 0.2], [0.6, 0.4]]))
>>> round(m.result(), 4)
0.5
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad.metrics.base import EPSILON, Metric
from webgrad.metrics.reduction import as_array


class FBetaScore(Metric):
    """``(1 + beta^2) * precision * recall / (beta^2 * precision + recall)``, per class.

    ``average``: ``None`` (one score per class), ``"micro"`` (counts pooled over classes), ``"macro"``
    (mean of the class scores) or ``"weighted"`` (mean weighted by each class's label count).
    ``threshold``: a prediction above it is positive; ``None`` marks each row's highest score.
    """

    def __init__(self, average: str | None = None, beta: float = 1.0, threshold: float | None = None,
                 name: str = "fbeta_score", dtype: str | None = None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
                             f"'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError(f"Invalid `beta` argument value. It should be a Python float. Received: beta={beta} "
                             f"of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python float. Received: "
                                 f"threshold={threshold} of type '{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                                 f"Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, true_shape: tuple, pred_shape: tuple) -> None:
        if len(pred_shape) != 2 or len(true_shape) != 2:
            raise ValueError("FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received input "
                             f"shapes: y_pred.shape={pred_shape} and y_true.shape={true_shape}.")
        shape = () if self.average == "micro" else (pred_shape[-1],)
        for cell in ("true_positives", "false_positives", "false_negatives", "intermediate_weights"):
            setattr(self, cell, self.add_variable(shape=shape, initializer="zeros", name=cell))
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true = as_array(y_true, self.dtype)
        y_pred = as_array(y_pred, self.dtype)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            top = np.max(y_pred, axis=-1, keepdims=True)
            y_pred = (y_pred >= top) & (np.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.astype(self.dtype)
        weights = None if sample_weight is None else as_array(sample_weight, self.dtype)[:, None]

        def weighted_sum(values: np.ndarray) -> np.ndarray:
            return np.sum(values if weights is None else values * weights, axis=self.axis)

        self.true_positives.assign_add(weighted_sum(y_pred * y_true))
        self.false_positives.assign_add(weighted_sum(y_pred * (1 - y_true)))
        self.false_negatives.assign_add(weighted_sum((1 - y_pred) * y_true))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self) -> Any:
        if not self._built:
            return 0.0
        tp, fp, fn = self.true_positives.data, self.false_positives.data, self.false_negatives.data
        precision = tp / (tp + fp + EPSILON)
        recall = tp / (tp + fn + EPSILON)
        beta2 = self.beta**2
        f_score = precision * recall / (beta2 * precision + recall + EPSILON) * (1 + beta2)
        if self.average == "weighted":
            w = self.intermediate_weights.data
            return np.sum(f_score * w / (np.sum(w) + EPSILON))
        if self.average is not None:
            return np.mean(f_score)
        return f_score.astype(self.dtype)

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "average": self.average, "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """``FBetaScore`` with ``beta=1``: the harmonic mean of precision and recall."""

    def __init__(self, average: str | None = None, threshold: float | None = None, name: str = "f1_score",
                 dtype: str | None = None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["beta"]
        return config
