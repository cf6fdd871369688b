"""What ``fit`` / ``evaluate`` / ``predict`` accept as data, turned into batches (Keras 3's data adapters).

- numpy arrays (a list of them for several inputs or outputs, or a dict keyed by input/output name),
  cut into ``batch_size`` batches, shuffled each epoch when asked;
- a ``PyDataset`` (Keras's ``keras.utils.PyDataset``): ``__len__`` batches, ``__getitem__(i)`` is batch
  ``i``, ``on_epoch_end()`` runs after each epoch. ``workers`` / ``use_multiprocessing`` /
  ``max_queue_size`` are accepted and kept, but batches are read one after the other in this process;
- a Python generator or any other iterator/iterable of batches.

A batch is ``(x, y)`` or ``(x, y, sample_weight)`` (or ``x`` / ``(x,)`` for ``predict``), exactly what
``Model.train_step(data)`` receives; ``unpack_x_y_sample_weight`` splits it. ``EpochIterator`` walks
the batches of one epoch with Keras's ``steps_per_epoch`` rule: with ``steps_per_epoch`` the next
epoch carries on where the last one stopped (starting over at the end of finite data).

>>> import numpy as np
>>> adapter = get_data_adapter(np.zeros((5, 2)), np.arange(5), batch_size=2)
>>> [unpack_x_y_sample_weight(b)[1].tolist() for b in adapter.batches(np.random.default_rng(0))]
[[0, 1], [2, 3], [4]]
"""

from __future__ import annotations

import itertools
import types
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

__all__ = ["ArrayDataAdapter", "EpochIterator", "GeneratorDataAdapter", "PyDataset", "PyDatasetAdapter",
           "class_weight_to_sample_weights", "get_data_adapter", "pack_x_y_sample_weight",
           "unpack_x_y_sample_weight"]


class PyDataset:
    """Base class of a dataset written in Python (Keras's ``keras.utils.PyDataset``).

    Implement ``__len__`` (the number of batches) and ``__getitem__(index)`` (the batch at ``index``:
    ``x``, ``(x, y)`` or ``(x, y, sample_weight)``); optionally ``on_epoch_begin`` / ``on_epoch_end``
    (e.g. to reshuffle). Call ``super().__init__(**kwargs)``. ``workers``, ``use_multiprocessing`` and
    ``max_queue_size`` are accepted for Keras compatibility; webgrad reads the batches serially.

    >>> import numpy as np
    >>> class Squares(PyDataset):
    ...     def __len__(self):
    ...         return 2
    ...     def __getitem__(self, i):
    ...         x = np.arange(3, dtype="float32") + 3 * i
    ...         return x[:, None], x[:, None] ** 2
    >>> [y.ravel().tolist() for _, y in Squares()]
    [[0.0, 1.0, 4.0], [9.0, 16.0, 25.0]]
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index), returning a batch")

    @property
    def num_batches(self) -> int | None:
        """The number of batches (``len(self)``), or None for an endless dataset."""
        if hasattr(self, "__len__"):
            return len(self)  # type: ignore[arg-type]
        return None

    def __iter__(self) -> Iterator[Any]:
        n = self.num_batches
        i = 0
        while n is None or i < n:
            yield self[i]
            i += 1

    def on_epoch_begin(self) -> None:
        """Called at the start of every epoch."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch."""


# ---- batch structure -------------------------------------------------------------------------------
def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from a batch ``(x,)``, ``(x, y)``, ``(x, y, sample_weight)`` or ``x``
    (missing parts are None), as ``keras.utils.unpack_x_y_sample_weight``.

    >>> unpack_x_y_sample_weight(("x", "y"))
    ('x', 'y', None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError(f"a batch must be (x,), (x, y) or (x, y, sample_weight), got a tuple of {len(data)} items")


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """The batch tuple Keras passes to ``train_step``: ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.

    >>> pack_x_y_sample_weight("x", "y")
    ('x', 'y')
    """
    if y is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def map_structure(fn: Callable[[Any], Any], s: Any) -> Any:
    """``fn`` applied to every array of a structure of arrays (one array, a list/tuple or a dict)."""
    if s is None:
        return None
    if isinstance(s, dict):
        return {k: fn(v) for k, v in s.items()}
    if isinstance(s, list | tuple):
        return type(s)(fn(v) for v in s)
    return fn(s)


def flatten(s: Any) -> list[Any]:
    """The arrays of a structure, in order (dict values in insertion order)."""
    if s is None:
        return []
    if isinstance(s, dict):
        return list(s.values())
    if isinstance(s, list | tuple):
        return list(s)
    return [s]


def class_weight_to_sample_weights(y: Any, class_weight: dict[int, float]) -> np.ndarray:
    """One weight per example from its class (integer labels, ``[n, 1]``, or one-hot rows: the argmax);
    classes missing from ``class_weight`` weigh 1, as in Keras.

    >>> class_weight_to_sample_weights(np.array([0, 1, 1]), {1: 3.0}).tolist()
    [1.0, 3.0, 3.0]
    """
    y = np.asarray(y)
    if y.ndim > 1:
        y = np.argmax(y, axis=-1) if y.shape[-1] != 1 else y[..., 0]
    ids = np.round(y).astype(np.int64).reshape(-1)
    return np.array([float(class_weight.get(int(c), 1.0)) for c in ids], np.float32)


def _single_label_array(y: Any, what: str) -> Any:
    ys = flatten(y)
    if len(ys) != 1:
        raise ValueError(f"class_weight is only supported for models with a single output; {what} has "
                         f"{len(ys)} label arrays (pass sample_weight instead)")
    return ys[0]


def _check_class_weight(class_weight: Any) -> None:
    if class_weight is not None and not isinstance(class_weight, dict):
        raise TypeError(f"class_weight must be a dict {{class index: weight}}, got {type(class_weight).__name__}")


# ---- adapters -----------------------------------------------------------------------------------------
class ArrayDataAdapter:
    """Arrays cut into batches of ``batch_size`` rows (shuffled each pass when ``shuffle``)."""

    def __init__(self, x: Any, y: Any = None, sample_weight: Any = None, batch_size: int = 32,
                 shuffle: bool = False, class_weight: dict | None = None):
        _check_class_weight(class_weight)
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError("you cannot give both class_weight and sample_weight (as in Keras); "
                                 "multiply the class weights into sample_weight instead")
            sample_weight = class_weight_to_sample_weights(_single_label_array(y, "y"), class_weight)
        lengths = {len(a) for a in flatten(x) + flatten(y) + flatten(sample_weight)}
        if len(lengths) > 1:
            raise ValueError(f"x, y and sample_weight have different numbers of examples: {sorted(lengths)}")
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.n = lengths.pop() if lengths else 0
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)

    @property
    def num_batches(self) -> int:
        return -(-self.n // self.batch_size)

    def peek(self) -> Any:
        """The first batch (the first rows, unshuffled)."""
        return next(self.batches(np.random.default_rng(0)))

    def batches(self, rng: np.random.Generator) -> Iterator[Any]:
        """One pass over the rows, as batches."""
        order = rng.permutation(self.n) if self.shuffle else np.arange(self.n)
        for b in range(self.num_batches):
            idx = order[b * self.batch_size:(b + 1) * self.batch_size]
            yield pack_x_y_sample_weight(*(_rows(s, idx) for s in (self.x, self.y, self.sample_weight)))

    def on_epoch_begin(self) -> None: ...
    def on_epoch_end(self) -> None: ...


def _rows(structure: Any, idx: np.ndarray) -> Any:
    return map_structure(lambda a: a[idx], structure)


class PyDatasetAdapter:
    """A ``PyDataset``'s batches by index (the order shuffled each epoch when ``shuffle``)."""

    def __init__(self, dataset: PyDataset, shuffle: bool = False, class_weight: dict | None = None):
        _check_class_weight(class_weight)
        self.dataset, self.shuffle, self.class_weight = dataset, bool(shuffle), class_weight

    @property
    def num_batches(self) -> int | None:
        return self.dataset.num_batches

    def batches(self, rng: np.random.Generator) -> Iterator[Any]:
        n = self.num_batches
        if n is None:
            indices: Any = _count()  # an endless dataset
        else:
            indices = rng.permutation(n) if self.shuffle else range(n)
        for i in indices:
            yield self._weighted(self.dataset[int(i)])

    def peek(self) -> Any:
        """The first batch, read without consuming anything (it is read again by the epoch)."""
        return self._weighted(self.dataset[0])

    def _weighted(self, batch: Any) -> Any:
        if self.class_weight is None:
            return batch
        x, y, sw = unpack_x_y_sample_weight(batch)
        if sw is not None:
            raise ValueError("you cannot give both class_weight and batches with sample weights (as in Keras)")
        return (x, y, class_weight_to_sample_weights(_single_label_array(y, "a batch"), self.class_weight))

    def on_epoch_begin(self) -> None:
        self.dataset.on_epoch_begin()

    def on_epoch_end(self) -> None:
        self.dataset.on_epoch_end()


def _count() -> Iterator[int]:
    i = 0
    while True:
        yield i
        i += 1


class GeneratorDataAdapter:
    """A generator or other iterable of batches. An iterator (a generator) is read once: a second epoch
    without ``steps_per_epoch`` finds it empty; a re-iterable (a list of batches) starts over."""

    def __init__(self, data: Any):
        self.data = data
        self.num_batches = len(data) if isinstance(data, list | tuple) else None

    def batches(self, rng: np.random.Generator) -> Iterator[Any]:
        return iter(self.data)

    def peek(self) -> Any:
        """The first batch, put back in front of an iterator so the first epoch still reads it."""
        if isinstance(self.data, Iterator):
            first = next(self.data)
            self.data = itertools.chain([first], self.data)
            return first
        return next(iter(self.data))

    def on_epoch_begin(self) -> None: ...
    def on_epoch_end(self) -> None: ...


def is_batch_iterable(x: Any) -> bool:
    """True for data that yields batches itself (a PyDataset, a generator, an iterator or another
    iterable object), False for arrays and structures of arrays."""
    if isinstance(x, PyDataset | types.GeneratorType | Iterator):
        return True
    if isinstance(x, np.ndarray | list | tuple | dict | str | bytes) or x is None:
        return False
    return hasattr(x, "__iter__") and not hasattr(x, "__array__")


def get_data_adapter(x: Any, y: Any = None, sample_weight: Any = None, batch_size: int = 32,
                     shuffle: bool = False, class_weight: dict | None = None) -> Any:
    """The adapter for ``x`` (see the module doc). With a PyDataset or a generator, ``y`` and
    ``sample_weight`` come from its batches and must not be given (ValueError, as in Keras)."""
    if not is_batch_iterable(x):
        return ArrayDataAdapter(x, y, sample_weight, batch_size, shuffle, class_weight)
    kind = "a PyDataset" if isinstance(x, PyDataset) else "a generator or iterable of batches"
    for name, value in (("y", y), ("sample_weight", sample_weight)):
        if value is not None:
            raise ValueError(f"{name} must not be given when x is {kind}: its batches carry {name} "
                             "((x, y) or (x, y, sample_weight) tuples)")
    if isinstance(x, PyDataset):
        return PyDatasetAdapter(x, shuffle=shuffle, class_weight=class_weight)
    if class_weight is not None:
        raise ValueError("class_weight is not supported for a generator or iterable of batches (as in Keras); "
                         "yield (x, y, sample_weight) batches instead")
    return GeneratorDataAdapter(x)


class EpochIterator:
    """The batches of each epoch, numbered from 0, following Keras's ``steps_per_epoch`` rule.

    Without ``steps_per_epoch`` an epoch is one pass over the data. With it, an epoch is that many
    batches, and the next epoch continues from where the last stopped; finite data starts over when it
    runs out (an epoch never goes past its end, with a warning, as Keras does).

    >>> import numpy as np
    >>> it = EpochIterator(get_data_adapter(np.arange(8), np.arange(8), batch_size=2), np.random.default_rng(0),
    ...                    steps_per_epoch=2)
    >>> [[unpack_x_y_sample_weight(b)[0].tolist() for _, b in it.epoch()] for _ in range(3)]
    [[[0, 1], [2, 3]], [[4, 5], [6, 7]], [[0, 1], [2, 3]]]
    """

    def __init__(self, adapter: Any, rng: np.random.Generator, steps_per_epoch: int | None = None):
        self.adapter, self.rng, self.steps_per_epoch = adapter, rng, steps_per_epoch
        self._it: Iterator[Any] | None = None
        self._seen = 0
        self.ran_out = False  # the last epoch ended because the data ran out before steps_per_epoch

    @property
    def num_batches(self) -> int | None:
        """Batches per epoch when known (steps_per_epoch, or the data's own count)."""
        return self.steps_per_epoch or self.adapter.num_batches

    def _warn_ran_out(self) -> None:
        self.ran_out = True
        warnings.warn("your input ran out of data; make sure it can give at least steps_per_epoch * epochs "
                      "batches (a generator is read once)", stacklevel=3)

    def epoch(self) -> Iterator[tuple[int, Any]]:
        """``(step, batch)`` for every batch of one epoch."""
        self.ran_out = False
        self.adapter.on_epoch_begin()
        total = self.adapter.num_batches
        if self.steps_per_epoch is None:
            self._it, self._seen = None, 0
            for step, batch in enumerate(self.adapter.batches(self.rng)):
                yield step, batch
        else:
            if self._it is None:
                self._it, self._seen = iter(self.adapter.batches(self.rng)), 0
            for step in range(self.steps_per_epoch):
                if total is not None and self._seen >= total:
                    self._warn_ran_out()
                    break
                try:
                    batch = next(self._it)
                except StopIteration:
                    self._it = None
                    self._warn_ran_out()
                    break
                self._seen += 1
                yield step, batch
            if total is not None and self._seen >= total:
                self._it = None  # finite data: the next epoch starts over
        self.adapter.on_epoch_end()
