"""Callbacks that set the optimizer's learning rate between epochs: ``ReduceLROnPlateau`` and
``LearningRateScheduler`` (the optimizer needs a float learning rate, not a schedule, as in Keras).

>>> from types import SimpleNamespace
>>> import webgrad as wg
>>> model = SimpleNamespace(optimizer=wg.optimizers.SGD(0.1), compiled_metrics=[])
>>> cb = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1)
>>> cb.set_model(model); cb.on_train_begin()
>>> for epoch, loss in enumerate([1.0, 1.0, 1.0]):
...     cb.on_epoch_end(epoch, {"loss": loss})
>>> round(float(model.optimizer.learning_rate), 6)
0.025
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from webgrad.callbacks.base import Callback
from webgrad.callbacks.monitor import Monitor


class ReduceLROnPlateau(Callback):
    """Keras 3's ``ReduceLROnPlateau``: multiplies the learning rate by ``factor`` when ``monitor`` has
    not improved by ``min_delta`` for ``patience`` epochs, then waits ``cooldown`` epochs; never below
    ``min_lr``. Adds ``learning_rate`` to the epoch logs, as Keras does."""

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10, verbose: int = 0,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0) -> None:
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}")
        self.monitor, self.mode, self.min_delta = monitor, mode, min_delta
        self.factor, self.min_lr, self.patience = factor, min_lr, patience
        self.verbose, self.cooldown = verbose, cooldown
        self._new_monitor()

    def _new_monitor(self) -> None:
        self._monitor = Monitor(self.monitor, self.mode, None, self.min_delta, "ReduceLROnPlateau")
        self.cooldown_counter = 0
        self.wait = 0

    @property
    def best(self) -> float | None:
        """The best monitored value so far."""
        return self._monitor.best

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._new_monitor()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._monitor.resolve(self.model)
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs)}.", stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._monitor.is_improvement(float(current), self._monitor.best):
            self._monitor.best = float(current)
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(optimizer, epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce(self, optimizer: Any, epoch: int) -> bool:
        old_lr = float(optimizer.learning_rate)
        if old_lr <= np.float32(self.min_lr):
            return False
        new_lr = max(old_lr * self.factor, self.min_lr)
        optimizer.learning_rate = new_lr
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
        return True


class LearningRateScheduler(Callback):
    """Keras's ``LearningRateScheduler(schedule, verbose=0)``: at the start of each epoch sets the
    learning rate to ``schedule(epoch, lr)`` (0-based epoch, the current rate as a float).

    >>> from types import SimpleNamespace
    >>> import webgrad as wg
    >>> model = SimpleNamespace(optimizer=wg.optimizers.SGD(0.1))
    >>> cb = LearningRateScheduler(lambda epoch, lr: lr if epoch < 1 else lr / 2)
    >>> cb.set_model(model); cb.on_epoch_begin(0); cb.on_epoch_begin(1)
    >>> round(float(model.optimizer.learning_rate), 6)
    0.05
    """

    def __init__(self, schedule: Callable[[int, float], float], verbose: int = 0) -> None:
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        optimizer = self.model.optimizer
        lr = self.schedule(epoch, float(optimizer.learning_rate))
        if not isinstance(lr, float | int | np.floating | np.integer):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {lr}")
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(lr)}.")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
