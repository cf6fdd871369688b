"""``ModelCheckpoint``: saves the model (``.keras``) or its weights (``.weights.h5``) during ``fit``,
every epoch or every ``save_freq`` batches, optionally only when the monitored value improves.

The file name may hold ``{epoch:02d}`` (1-based, as in Keras), ``{batch}`` and any log value
(``{val_loss:.2f}``).

>>> import os, tempfile, webgrad as wg
>>> model = wg.Sequential([wg.Input((2,)), wg.layers.Dense(1)])
>>> d = tempfile.mkdtemp()
>>> cb = ModelCheckpoint(os.path.join(d, "w-{epoch:02d}-{loss:.2f}.weights.h5"), monitor="loss",
...                      save_best_only=True, save_weights_only=True)
>>> cb.set_model(model); cb.on_train_begin()
>>> for epoch, loss in enumerate([0.5, 0.7, 0.4]):
...     cb.on_epoch_begin(epoch); cb.on_epoch_end(epoch, {"loss": loss})
>>> sorted(os.listdir(d))
['w-01-0.50.weights.h5', 'w-03-0.40.weights.h5']
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from webgrad.callbacks.base import Callback, batch_save_due, sync_training_state
from webgrad.callbacks.monitor import Monitor


class ModelCheckpoint(Callback):
    """Keras 3's ``ModelCheckpoint(filepath, monitor="val_loss", verbose=0, save_best_only=False,
    save_weights_only=False, mode="auto", save_freq="epoch", initial_value_threshold=None)``."""

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False, mode: str = "auto",
                 save_freq: str | int = "epoch", initial_value_threshold: float | None = None) -> None:
        self._monitor = Monitor(monitor, mode, initial_value_threshold, 0.0, "ModelCheckpoint")
        self.monitor = monitor
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen: int | None = None
        self._current_epoch = 0
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)):
            raise ValueError(f"Unrecognized save_freq: {save_freq}. Expected save_freq are 'epoch' or integer values")
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError("When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided "
                                 "must end in `.weights.h5` (Keras weights format). Received: "
                                 f"filepath={self.filepath}")
        elif self.filepath.endswith((".h5", ".hdf5")):
            raise NotImplementedError("ModelCheckpoint: saving whole models in the legacy HDF5 format is not "
                                      f"supported yet; use a filepath ending in .keras. Received: {self.filepath}")
        elif not self.filepath.endswith(".keras"):
            raise ValueError("The filepath provided must end in `.keras` (Keras model format). Received: "
                             f"filepath={self.filepath}")

    @property
    def best(self) -> float | None:
        """The best monitored value so far (``initial_value_threshold`` before any)."""
        return self._monitor.best

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if batch_save_due(self, batch):
            sync_training_state(self.model)
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._current_epoch = epoch

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _should_save_model(self, epoch: int, logs: dict, filepath: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Can save best model only with {self.monitor} available.", stacklevel=3)
            return True
        if np.ndim(current) > 0:
            warnings.warn(f"Can save best model only when `monitor` is a scalar value. Received: {current}. "
                          "Falling back to `save_best_only=False`.", stacklevel=3)
            return True
        self._monitor.resolve(self.model)
        best = self._monitor.best
        best_str = "None" if best is None else f"{best:.5f}"
        if self._monitor.is_improvement(float(current), best):
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best_str} to {float(current):.5f}, "
                      f"saving model to {filepath}")
            self._monitor.best = float(current)
            return True
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best_str}")
        return False

    def _save_model(self, epoch: int, batch: int | None, logs: dict | None) -> None:
        logs = dict(logs or {})
        filepath = self._file_path(epoch, batch, logs)
        if not self._should_save_model(epoch, logs, filepath):
            return
        if os.path.isdir(filepath):
            raise OSError("Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an "
                          f"existing directory: {filepath}")
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")

    def _file_path(self, epoch: int, batch: int | None, logs: dict[str, Any]) -> str:
        try:
            if batch is None or "batch" in logs:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {e} is not in '
                           f"the logs ({sorted(logs)})") from None
