"""What "better" means for a monitored log value: Keras 3's ``MonitorCallback`` rules, shared by
``ModelCheckpoint`` and ``ReduceLROnPlateau``.

``mode="min"`` / ``"max"`` say it; ``"auto"`` minimizes ``loss`` / ``val_loss``, asks a compiled metric of
that name for its direction (``_direction`` ``"up"``/``"down"``, as Keras metrics have), and otherwise goes
by the name (accuracy, AUC, precision, recall, F1 up; errors down); a name none of these decide is an
error, as in Keras. An unknown mode warns and falls back to ``"auto"``, as in Keras.

>>> m = Monitor("val_accuracy", "auto", None, 0.0)
>>> m.resolve(None); m.is_improvement(0.9, 0.8), m.is_improvement(0.7, 0.8)
(True, False)
"""

from __future__ import annotations

import operator
import warnings
from typing import Any

_UP = ("acc", "auc", "precision", "recall", "f1", "true_positives", "true_negatives")
_DOWN = ("loss", "error", "mae", "mse", "mape", "msle", "crossentropy", "hinge", "false_positives",
         "false_negatives")


class Monitor:
    """The comparison for one monitored name; ``resolve(model)`` fixes it once the model is compiled."""

    def __init__(self, monitor: str, mode: str, baseline: float | None, min_delta: float, owner: str = "callback"):
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{owner} mode {mode!r} is unknown, fallback to auto mode.", stacklevel=3)
            mode = "auto"
        self.monitor, self.mode, self.owner = monitor, mode, owner
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.op: Any = None

    def resolve(self, model: Any) -> None:
        if self.op is not None:
            return
        if self.mode != "auto":
            self.op = operator.lt if self.mode == "min" else operator.gt
        else:
            self.op = _auto_op(self.monitor, model, self.owner)
        if self.op is operator.lt:
            self.min_delta = -self.min_delta

    def is_improvement(self, value: float, reference: float | None) -> bool:
        if reference is None:
            return True
        return bool(self.op(value - self.min_delta, reference))


def _auto_op(monitor: str, model: Any, owner: str) -> Any:
    name = monitor.removeprefix("val_")
    if name == "loss":
        return operator.lt
    for metrics in getattr(model, "compiled_metrics", None) or []:
        for m in metrics if isinstance(metrics, list | tuple) else [metrics]:
            direction = getattr(m, "_direction", None)
            if getattr(m, "name", None) == name and direction in ("up", "down"):
                return operator.gt if direction == "up" else operator.lt
    lowered = name.lower()
    if any(k in lowered for k in _UP):
        return operator.gt
    if any(k in lowered for k in _DOWN):
        return operator.lt
    raise ValueError(f"{owner} callback received monitor={monitor}, but webgrad isn't able to automatically "
                     "determine whether that metric should be maximized or minimized. Pass `mode='max'` in "
                     "order to monitor based on the highest metric value, or pass `mode='min'` in order to use "
                     "the lowest value.")
