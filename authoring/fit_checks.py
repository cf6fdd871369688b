"""Checks of the arguments of ``fit`` / ``evaluate`` / ``predict`` that run before any batch does.

Each check names what it was given and what it expects, so a bad call fails at once with a message
instead of deep in the loop (a ``ZeroDivisionError``, a raw numpy ``TypeError``) or, worse, quietly
(a "loss 0.0" from training on nothing). Values follow Keras: ``batch_size=None`` means 32,
``epochs=0`` trains nothing and returns an empty History.

>>> batch_size_arg(None, "fit"), batch_size_arg(8, "fit")
(32, 8)
>>> batch_size_arg(0, "predict")
Traceback (most recent call last):
...
ValueError: predict: batch_size must be a positive integer (or None for 32), got 0
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["DEFAULT_BATCH_SIZE", "batch_size_arg", "check_label_dtype", "count_arg", "require_examples",
           "validation_cut"]

#: what ``batch_size=None`` means, as in Keras
DEFAULT_BATCH_SIZE = 32


def _is_int(value: Any) -> bool:
    # bool is an int subclass, but batch_size=True is a mistake, not 1
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def batch_size_arg(batch_size: Any, where: str) -> int:
    """``batch_size`` as a positive int (``None`` -> 32); ``TypeError`` for a float, bool or string,
    ``ValueError`` for zero or a negative number.

    >>> batch_size_arg(1.5, "fit")
    Traceback (most recent call last):
    ...
    TypeError: fit: batch_size must be a positive integer (or None for 32), got 1.5 (float)
    """
    if batch_size is None:
        return DEFAULT_BATCH_SIZE
    want = "batch_size must be a positive integer (or None for 32)"
    if not _is_int(batch_size):
        raise TypeError(f"{where}: {want}, got {batch_size!r} ({type(batch_size).__name__})")
    if batch_size < 1:
        raise ValueError(f"{where}: {want}, got {batch_size}")
    return int(batch_size)


def count_arg(value: Any, name: str, where: str) -> int:
    """A count such as ``epochs`` or ``initial_epoch``: an int >= 0.

    >>> count_arg(0, "epochs", "fit")
    0
    >>> count_arg(-1, "epochs", "fit")
    Traceback (most recent call last):
    ...
    ValueError: fit: epochs must be an integer >= 0, got -1
    """
    want = f"{name} must be an integer >= 0"
    if not _is_int(value):
        raise TypeError(f"{where}: {want}, got {value!r} ({type(value).__name__})")
    if value < 0:
        raise ValueError(f"{where}: {want}, got {value}")
    return int(value)


def require_examples(n: int, what: str, task: str) -> None:
    """Refuses an empty data set: training or evaluating on nothing has no meaningful loss.

    >>> require_examples(0, "evaluate: x", "evaluate")
    Traceback (most recent call last):
    ...
    ValueError: evaluate: x has 0 examples: there is nothing to evaluate (give at least one row)
    """
    if n == 0:
        raise ValueError(f"{what} has 0 examples: there is nothing to {task} (give at least one row)")


def validation_cut(n: int, validation_split: Any) -> int:
    """How many of ``n`` examples train when the last ``validation_split`` of them validate (Keras:
    the first ``floor(n * (1 - split))``); refuses a split outside [0, 1) or one that leaves either
    part empty.

    >>> validation_cut(10, 0.2)
    8
    >>> validation_cut(1, 0.5)
    Traceback (most recent call last):
    ...
    ValueError: fit: validation_split=0.5 of 1 examples leaves 0 for training and 1 for validation; ...
    """
    if isinstance(validation_split, bool) or not isinstance(validation_split, int | float | np.floating | np.integer):
        raise TypeError(f"fit: validation_split must be a number in [0, 1), got {validation_split!r} "
                        f"({type(validation_split).__name__})")
    if not 0 <= validation_split < 1:
        raise ValueError(f"fit: validation_split must be in [0, 1), got {validation_split}")
    if not validation_split:
        return n
    cut = int(n * (1 - validation_split))
    if cut == 0 or cut == n:
        raise ValueError(f"fit: validation_split={validation_split} of {n} examples leaves {cut} for training and "
                         f"{n - cut} for validation; each needs at least one (give more data or change "
                         "validation_split)")
    return cut


def check_label_dtype(y: np.ndarray, output: str, loss: Any) -> None:
    """Labels must be numbers (or booleans). Strings get a hint: sparse losses take integer class ids.

    >>> check_label_dtype(np.array(["cat", "dog"]), "probs", "sparse_categorical_crossentropy")
    Traceback (most recent call last):
    ...
    TypeError: labels for output 'probs' must be numbers, got dtype <U3 (e.g. 'cat'); sparse_categorical_crossentropy
    needs integer class ids 0, 1, 2...: map the names to ids first, e.g. `class_names, y = np.unique(y, ...)`
    """
    if np.issubdtype(y.dtype, np.number) or y.dtype == bool:
        return
    example = f" (e.g. {y.reshape(-1)[:1].tolist()[0]!r})" if y.size else ""
    msg = f"labels for output {output!r} must be numbers, got dtype {y.dtype}{example}"
    name = getattr(loss, "name", loss)
    if isinstance(name, str) and "sparse" in name:
        msg += (f"; {name} needs integer class ids 0, 1, 2...: map the names to ids first, e.g. "
                "`class_names, y = np.unique(y, return_inverse=True)`")
    raise TypeError(msg)
