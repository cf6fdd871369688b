"""``TerminateOnNaN``: stops training when a batch's loss is NaN or infinite.

webgrad's ``fit`` already stops with ``TrainingDivergedError`` on a non-finite loss, before the batch is
applied; this callback is for Keras scripts and for custom loops that call the hooks themselves.

>>> from types import SimpleNamespace
>>> model = SimpleNamespace(stop_training=False)
>>> cb = TerminateOnNaN(); cb.set_model(model)
>>> cb.on_train_batch_end(3, {"loss": float("nan")})
Batch 3: Invalid loss, terminating training
>>> model.stop_training
True
"""

from __future__ import annotations

import numpy as np

from webgrad.callbacks.base import Callback


class TerminateOnNaN(Callback):
    """Keras 3's ``TerminateOnNaN(raise_error=False)``: sets ``model.stop_training`` (or raises
    RuntimeError with ``raise_error=True``) when the batch ``loss`` is NaN or infinite."""

    def __init__(self, raise_error: bool = False) -> None:
        self.raise_error = raise_error

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None or np.isfinite(loss):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                               "Terminating training immediately.")
        print(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True
