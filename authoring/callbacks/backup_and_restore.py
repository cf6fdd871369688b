"""``BackupAndRestore``: backs up the training state every epoch (or every ``save_freq`` batches) so a
``fit`` interrupted by an error, a kill or a preemption resumes where it stopped when run again with the
same ``backup_dir``.

What ``backup_dir`` holds (Keras's names): ``latest.weights.h5`` (``model.save_weights``: the weights and
the optimizer state, a NumPy .npz inside) and ``training_metadata.json`` (``epoch`` to resume at,
``batch``, and the state of webgrad's random generator). On ``on_train_begin`` the callback loads them,
restores the generator and sets ``model._initial_epoch``, from which ``fit`` starts; so the resumed run
shuffles and steps exactly as the uninterrupted one would have, and ends with the same weights (Keras
restores weights and optimizer, not the shuffling). Not restored yet: the random streams that layers keep
for themselves (a ``Dropout`` draws its masks from its own generator), so a model with dropout resumes
with other masks. A backup taken every ``save_freq`` batches resumes at the start of the epoch it was
taken in, with the weights of that batch, as in Keras. After a ``fit`` that completes, the backup files
are deleted (``delete_checkpoint=True``), then ``backup_dir`` if it is left empty.
"""

from __future__ import annotations

import json
import os
import shutil
from typing import Any

from webgrad import seeding
from webgrad.callbacks.base import Callback, batch_save_due, sync_training_state
from webgrad.saving.files import write_atomically


class BackupAndRestore(Callback):
    """Keras 3's ``BackupAndRestore(backup_dir, save_freq="epoch", double_checkpoint=False,
    delete_checkpoint=True)``.

    >>> import os, tempfile, numpy as np, webgrad as wg
    >>> model = wg.Sequential([wg.Input((2,)), wg.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> cb = BackupAndRestore(os.path.join(tempfile.mkdtemp(), "backup"))
    >>> cb.set_model(model); cb.on_epoch_end(2)
    >>> sorted(os.listdir(cb.backup_dir))
    ['latest.weights.h5', 'training_metadata.json']
    >>> cb.on_train_begin(); model._initial_epoch
    3
    """

    def __init__(self, backup_dir: str | os.PathLike, save_freq: str | int = "epoch", double_checkpoint: bool = False,
                 delete_checkpoint: bool = True) -> None:
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool)):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: save_freq={save_freq}. "
                             "Expected either 'epoch' or an integer value.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = f"{self._weights_path}.bkp"
        self._prev_training_metadata_path = f"{self._training_metadata_path}.bkp"
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        try:
            self._load_model()
        except (OSError, ValueError):
            if not os.path.exists(self._prev_weights_path):
                raise
            # the latest backup is unreadable: fall back to the one before it
            shutil.copyfile(self._prev_weights_path, self._weights_path)
            if os.path.exists(self._prev_training_metadata_path):
                shutil.copyfile(self._prev_training_metadata_path, self._training_metadata_path)
            elif os.path.exists(self._training_metadata_path):
                os.remove(self._training_metadata_path)
            self._load_model()

    def _load_model(self) -> None:
        if not self.model.built:
            raise ValueError("To use the BackupAndRestore callback, your model must be built before you call "
                             f"`fit()`. Model {self.model.name!r} is unbuilt. You can build it beforehand by "
                             "calling it on a batch of data.")
        if os.path.exists(self._weights_path):
            self.model.load_weights(self._weights_path)
        if os.path.exists(self._training_metadata_path):
            with open(self._training_metadata_path) as f:
                metadata = json.load(f)
            self._current_epoch = int(metadata["epoch"])
            self.model._initial_epoch = self._current_epoch
            state = metadata.get("random_state")
            rng = seeding.generator()
            if isinstance(state, dict) and state.get("bit_generator") == rng.bit_generator.state["bit_generator"]:
                rng.bit_generator.state = state

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if batch_save_due(self, batch):
            sync_training_state(self.model)
            self._save_model()

    def _save_model(self) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for src, dst in ((self._weights_path, self._prev_weights_path),
                             (self._training_metadata_path, self._prev_training_metadata_path)):
                if os.path.exists(src):
                    shutil.copyfile(src, dst)
        self.model.save_weights(self._weights_path, overwrite=True)
        metadata: dict[str, Any] = {"epoch": self._current_epoch, "batch": self._last_batch_seen,
                                    "random_state": seeding.generator().bit_generator.state}
        write_atomically(self._training_metadata_path, json.dumps(metadata).encode())

    def on_train_end(self, logs: dict | None = None) -> None:
        if not self.delete_checkpoint:
            return
        for path in (self._weights_path, self._training_metadata_path, self._prev_weights_path,
                     self._prev_training_metadata_path):
            if os.path.exists(path):
                os.remove(path)
        if os.path.isdir(self.backup_dir) and not os.listdir(self.backup_dir):
            os.rmdir(self.backup_dir)
