"""The ``Callback`` base class, ``History`` (always attached by ``fit``), ``LambdaCallback``,
``ProgbarLogger`` (a no-op: ``fit`` prints its own progress) and ``CallbackList``.

>>> seen = []
>>> cb = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, logs["loss"])))
>>> cb.on_epoch_end(0, {"loss": 0.5})
>>> seen
[(0, 0.5)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

_HOOKS = (
    "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
    "on_train_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
    "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end",
)


class Callback:
    """Base class: override any ``on_*`` hook. ``self.model`` is set by ``fit``."""

    model: Any = None
    params: Any = None  # set by fit/evaluate/predict: {"epochs", "steps", "verbose"}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    # every hook of Keras 3's Callback; fit/evaluate/predict pass a logs dict to each
    def on_train_begin(self, logs: dict | None = None) -> None: ...
    def on_train_end(self, logs: dict | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_test_begin(self, logs: dict | None = None) -> None: ...
    def on_test_end(self, logs: dict | None = None) -> None: ...
    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_begin(self, logs: dict | None = None) -> None: ...
    def on_predict_end(self, logs: dict | None = None) -> None: ...
    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None: ...

    # Keras keeps on_batch_begin/on_batch_end as the older names of the training-batch hooks
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: dict | None = None) -> None: ...

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_end(batch, logs)


class History(Callback):
    """Collects the epoch logs: ``history.history["loss"]`` is the loss per epoch."""

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.history, self.epoch = {}, []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)


class ProgbarLogger(Callback):
    """Accepted for Keras compatibility and does nothing: ``fit(verbose=...)`` prints the progress bar."""

    def __init__(self, count_mode: Any = None) -> None:
        del count_mode


class LambdaCallback(Callback):
    """A callback made of functions, as Keras's: ``on_epoch_begin/end(epoch, logs)``,
    ``on_train_begin/end(logs)``, ``on_train_batch_begin/end(batch, logs)``; any other hook by keyword
    (``on_test_end=...``)."""

    def __init__(self, on_epoch_begin: Callable | None = None, on_epoch_end: Callable | None = None,
                 on_train_begin: Callable | None = None, on_train_end: Callable | None = None,
                 on_train_batch_begin: Callable | None = None, on_train_batch_end: Callable | None = None,
                 **kwargs: Callable) -> None:
        unknown = sorted(set(kwargs) - set(_HOOKS) - {"on_batch_begin", "on_batch_end"})
        if unknown:
            raise TypeError(f"LambdaCallback got unknown hooks {unknown}; hooks: {', '.join(_HOOKS)}")
        given = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end, "on_train_begin": on_train_begin,
                 "on_train_end": on_train_end, "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end, **kwargs}
        for name, fn in given.items():
            if fn is not None:
                setattr(self, name, fn)


class CallbackList(Callback):
    """Several callbacks called as one, in order (Keras's ``CallbackList``; ``fit`` takes a plain list).

    >>> calls = []
    >>> cbs = CallbackList([LambdaCallback(on_train_begin=lambda logs: calls.append(1))] * 2)
    >>> cbs.on_train_begin(); calls
    [1, 1]
    """

    def __init__(self, callbacks: Iterable[Callback] | None = None, add_history: bool = False,
                 add_progbar: bool = False, model: Any = None, **params: Any) -> None:
        del add_progbar  # fit prints its own progress
        self.callbacks = list(callbacks or [])
        if add_history and not any(isinstance(c, History) for c in self.callbacks):
            self.callbacks.append(History())
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)

    def set_model(self, model: Any) -> None:
        self.model = model
        for c in self.callbacks:
            c.set_model(model)

    def set_params(self, params: dict) -> None:
        self.params = params
        for c in self.callbacks:
            c.set_params(params)

    def __iter__(self) -> Any:
        return iter(self.callbacks)

    def __len__(self) -> int:
        return len(self.callbacks)


def _dispatch(name: str) -> Callable[..., None]:
    """A CallbackList hook: calls ``name`` of every callback, always with a logs dict (as Keras's does)."""
    if "batch" in name or "epoch" in name:
        def hook(self: CallbackList, index: int, logs: dict | None = None) -> None:
            logs = logs if logs is not None else {}
            for c in self.callbacks:
                getattr(c, name)(index, logs)
    else:
        def hook(self: CallbackList, logs: dict | None = None) -> None:  # type: ignore[misc]
            logs = logs if logs is not None else {}
            for c in self.callbacks:
                getattr(c, name)(logs)

    hook.__name__ = name
    hook.__doc__ = f"Calls ``{name}`` of every callback, in order."
    return hook


for _name in (*_HOOKS, "on_batch_begin", "on_batch_end"):
    setattr(CallbackList, _name, _dispatch(_name))


def sync_training_state(model: Any) -> None:
    """Brings the model's weights and optimizer slots up to date inside a ``fit`` batch: the jax backend
    trains on a device copy that ``fit`` writes back only at epoch ends, so a callback that saves in the
    middle of an epoch (``save_freq=<batches>``) asks for it first. Outside ``fit`` the model's own
    weights are the current ones: call this only from batch hooks."""
    steps = getattr(model, "_steps", None)
    if steps is not None:
        steps.sync()


def batch_save_due(callback: Any, batch: int) -> bool:
    """Keras's ``save_freq=<n>`` counting, shared by ``ModelCheckpoint`` and ``BackupAndRestore``:
    whether ``batch`` completes ``n`` batches since the last save, counted across epochs (a batch index
    that does not grow starts a new epoch). Reads and updates the callback's ``save_freq``,
    ``_last_batch_seen`` (None before the first batch) and ``_batches_seen_since_last_saving``.
    """
    if callback.save_freq == "epoch":
        return False
    last = callback._last_batch_seen
    callback._batches_seen_since_last_saving += batch + 1 if last is None or batch <= last else batch - last
    callback._last_batch_seen = batch
    if callback._batches_seen_since_last_saving >= int(callback.save_freq):
        callback._batches_seen_since_last_saving = 0
        return True
    return False
