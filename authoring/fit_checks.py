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
           "sample_weight_arg", "steps_arg", "validation_cut", "validation_freq_arg"]

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


def steps_arg(value: Any, name: str, where: str) -> int | None:
    """``steps_per_epoch`` / ``validation_steps`` / ``steps``: None (all the data) or an int >= 1.

    >>> steps_arg(None, "steps", "evaluate"), steps_arg(3, "steps", "evaluate")
    (None, 3)
    >>> steps_arg(0, "steps_per_epoch", "fit")
    Traceback (most recent call last):
    ...
    ValueError: fit: steps_per_epoch must be a positive integer or None, got 0
    """
    if value is None:
        return None
    want = f"{name} must be a positive integer or None"
    if not _is_int(value):
        raise TypeError(f"{where}: {want}, got {value!r} ({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{where}: {want}, got {value}")
    return int(value)


def validation_freq_arg(value: Any) -> Any:
    """``validation_freq``: validate every ``value`` epochs (an int >= 1), or after the epochs listed
    (1-based, a list/tuple/set/range), as in Keras.

    >>> validation_freq_arg(2), validation_freq_arg([1, 3])
    (2, {1, 3})
    """
    if _is_int(value):
        if value < 1:
            raise ValueError(f"fit: validation_freq must be an integer >= 1 or a list of epochs, got {value}")
        return int(value)
    if isinstance(value, list | tuple | set | range) and all(_is_int(v) for v in value):
        return {int(v) for v in value}
    raise TypeError(f"fit: validation_freq must be an integer >= 1 or a list of epochs, got {value!r}")


def sample_weight_arg(sample_weight: Any, n: int, where: str) -> np.ndarray | None:
    """Per-example weights: ``n`` finite numbers >= 0 (shape ``[n]`` or ``[n, 1]``), as float32.

    >>> sample_weight_arg([1, 2], 2, "fit").tolist()
    [1.0, 2.0]
    >>> sample_weight_arg([1, 2], 3, "fit")
    Traceback (most recent call last):
    ...
    ValueError: fit: sample_weight has 2 entries for 3 examples (one weight per example)
    """
    if sample_weight is None:
        return None
    if isinstance(sample_weight, dict):
        raise NotImplementedError(f"{where}: sample_weight as a dict (per output) is not supported yet; pass one "
                                  "array of per-example weights, which weighs every output")
    sw = np.asarray(sample_weight)
    if sw.dtype == object or not (np.issubdtype(sw.dtype, np.number) or sw.dtype == bool):
        raise TypeError(f"{where}: sample_weight must be an array of numbers, got dtype {sw.dtype}")
    if sw.ndim == 2 and sw.shape[1] == 1:
        sw = sw[:, 0]
    if sw.ndim != 1:
        raise ValueError(f"{where}: sample_weight must have shape [n] (one weight per example), got {sw.shape}")
    if len(sw) != n:
        raise ValueError(f"{where}: sample_weight has {len(sw)} entries for {n} examples (one weight per example)")
    sw = sw.astype(np.float32)
    if not np.all(np.isfinite(sw)) or np.any(sw < 0):
        raise ValueError(f"{where}: sample_weight must be finite numbers >= 0")
    return sw
