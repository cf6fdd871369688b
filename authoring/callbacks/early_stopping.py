"""``EarlyStopping``: stops training when a monitored value has stopped improving, as Keras 3's.

>>> from types import SimpleNamespace
>>> cb = EarlyStopping(monitor="loss", patience=1)
>>> cb.set_model(SimpleNamespace(stop_training=False))
>>> cb.on_train_begin(); cb.on_epoch_end(0, {"loss": 1.0}); cb.on_epoch_end(1, {"loss": 1.5})
>>> cb.stopped_epoch, cb.model.stop_training
(1, True)
"""

from __future__ import annotations

import warnings

from webgrad.callbacks.base import Callback
from webgrad.callbacks.monitor import Monitor


class EarlyStopping(Callback):
    """Keras 3's ``EarlyStopping(monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
    baseline=None, restore_best_weights=False, start_from_epoch=0)``: stops when ``monitor`` has not
    improved by more than ``min_delta`` for ``patience`` epochs (counted from ``start_from_epoch``); a
    ``baseline`` must also be beaten to reset the count. With ``restore_best_weights`` the model gets the
    weights of the best epoch back at the end. ``mode="auto"`` follows ``webgrad.callbacks.monitor``. A
    monitor missing from the logs warns (as in Keras; ``val_*`` values need validation data)."""

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False,
                 start_from_epoch: int = 0) -> None:
        self.monitor, self.mode, self.min_delta = monitor, mode, abs(min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.on_train_begin()

    @property
    def best(self) -> float | None:
        """The best monitored value so far."""
        return self._monitor.best

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._monitor = Monitor(self.monitor, self.mode, None, self.min_delta, "EarlyStopping")
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights: list | None = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._monitor.resolve(self.model)
        logs = logs or {}
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not available. Available "
                          f"metrics are: {','.join(logs)} (val_* values need validation data)", stacklevel=2)
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._monitor.is_improvement(float(current), self._monitor.best):
            self._monitor.best, self.best_epoch = float(current), epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # the count restarts only when the baseline is beaten too
            if self.baseline is None or self._monitor.is_improvement(float(current), self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
