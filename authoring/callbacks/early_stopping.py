"""``EarlyStopping``: stops training when a monitored value has stopped improving.

>>> cb = EarlyStopping(monitor="loss", patience=1)
>>> cb.on_train_begin(); cb.on_epoch_end(0, {"loss": 1.0}); cb.on_epoch_end(1, {"loss": 1.5})
>>> cb.stopped_epoch
1
"""

from __future__ import annotations

import numpy as np

from webgrad.callbacks.base import Callback


class EarlyStopping(Callback):
    """Stops training when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    ``mode`` is ``min``, ``max`` or ``auto`` (max for accuracy-like names). With
    ``restore_best_weights`` the model gets the weights of the best epoch back at the end.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0, mode: str = "auto",
                 restore_best_weights: bool = False, verbose: int = 0):
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.mode = mode if mode != "auto" else ("max" if "acc" in monitor else "min")
        self.restore_best_weights = restore_best_weights
        self.verbose = verbose

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf if self.mode == "min" else -np.inf
        self.best_weights: list | None = None
        self.best_epoch = 0

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.monitor not in logs:
            raise KeyError(f"EarlyStopping monitors {self.monitor!r}, which is not in the logs: {sorted(logs)}"
                           " (val_* metrics need validation data)")
        value = logs[self.monitor]
        if self._improved(value):
            self.best, self.wait, self.best_epoch = value, 0, epoch
            if self.restore_best_weights and self.model is not None:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            if self.model is not None:
                self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.restore_best_weights and self.best_weights is not None and self.model is not None:
            self.model.set_weights(self.best_weights)
        if self.verbose and self.stopped_epoch:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping (best {self.monitor} "
                  f"{self.best:.4f} at epoch {self.best_epoch + 1})")
