"""Callbacks: hooks into ``fit`` / ``evaluate`` / ``predict``, as Keras 3's ``keras.callbacks``.

``History`` is always attached by ``fit``; ``EarlyStopping``, ``ModelCheckpoint``, ``BackupAndRestore``,
``ReduceLROnPlateau``, ``LearningRateScheduler``, ``CSVLogger``, ``LambdaCallback`` and ``TerminateOnNaN``
follow Keras's arguments and behaviour; ``ProgbarLogger`` is accepted and does nothing (``fit`` prints
its own progress). A Keras callback webgrad lacks (``TensorBoard``...) raises NotImplementedError.

>>> from types import SimpleNamespace
>>> cb = EarlyStopping(monitor="loss", patience=1)
>>> cb.set_model(SimpleNamespace(stop_training=False))
>>> cb.on_train_begin(); cb.on_epoch_end(0, {"loss": 1.0}); cb.on_epoch_end(1, {"loss": 1.5})
>>> cb.stopped_epoch, cb.model.stop_training
(1, True)
"""

from __future__ import annotations

from typing import Any

from webgrad import keras_names
from webgrad.callbacks.backup_and_restore import BackupAndRestore
from webgrad.callbacks.base import Callback, CallbackList, History, LambdaCallback, ProgbarLogger
from webgrad.callbacks.csv_logger import CSVLogger
from webgrad.callbacks.early_stopping import EarlyStopping
from webgrad.callbacks.learning_rate import LearningRateScheduler, ReduceLROnPlateau
from webgrad.callbacks.model_checkpoint import ModelCheckpoint
from webgrad.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "BackupAndRestore", "CSVLogger", "Callback", "CallbackList", "EarlyStopping", "History", "LambdaCallback",
    "LearningRateScheduler", "ModelCheckpoint", "ProgbarLogger", "ReduceLROnPlateau", "TerminateOnNaN",
]


def __getattr__(name: str) -> Any:  # Keras names webgrad lacks: NotImplementedError
    raise keras_names.unsupported("callbacks", name)
