"""``CSVLogger``: one CSV row per epoch, as Keras 3 writes it: an ``epoch`` column (0-based) then the
log names sorted; when the first epoch has no ``val_*`` value, ``val_<name>`` columns are added anyway
(filled with ``NA``), as in Keras.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
>>> cb = CSVLogger(path)
>>> cb.on_train_begin(); cb.on_epoch_end(0, {"loss": 0.5, "accuracy": 0.75}); cb.on_train_end()
>>> open(path).read().splitlines()
['epoch,accuracy,loss,val_accuracy,val_loss', '0,0.75,0.5,NA,NA']
"""

from __future__ import annotations

import collections
import csv
import os
from collections.abc import Iterable
from typing import IO, Any

import numpy as np

from webgrad.callbacks.base import Callback


class CSVLogger(Callback):
    """Keras 3's ``CSVLogger(filename, separator=",", append=False)``."""

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False) -> None:
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer: Any = None
        self.keys: list[str] | None = None
        self.append_header = True
        self.csv_file: IO[str] | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode)  # noqa: SIM115 - open across epochs, closed in on_train_end
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.csv_file is None:
            self.on_train_begin()
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys.extend([f"val_{k}" for k in self.keys])
        if self.writer is None:
            sep = self.sep

            class Dialect(csv.excel):
                delimiter = sep

            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch", *self.keys], dialect=Dialect)
            if self.append_header:
                self.writer.writeheader()
        row: dict[str, Any] = collections.OrderedDict({"epoch": epoch})
        row.update((k, _cell(logs.get(k, "NA"))) for k in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


def _cell(value: Any) -> Any:
    """A log value as Keras writes it: lists (not 0-d arrays) as ``"[a, b]"``."""
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable) and not (isinstance(value, np.ndarray) and value.ndim == 0):
        return f'"[{", ".join(map(str, value))}]"'
    return value
