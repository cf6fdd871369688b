"""``pad_sequences``: lists of sequences of different lengths as one padded 2-D array (Keras's rules).

>>> pad_sequences([[1, 2, 3], [4]], maxlen=2)
array([[2, 3],
       [0, 4]], dtype=int32)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def pad_sequences(sequences: Sequence[Any], maxlen: int | None = None, dtype: Any = "int32", padding: str = "pre",
                  truncating: str = "pre", value: Any = 0.0) -> np.ndarray:
    """Pads (or cuts) every sequence to ``maxlen`` (default: the longest).

    ``padding`` / ``truncating``: ``"pre"`` adds or removes at the start, ``"post"`` at the end.
    Items may be vectors (all of one shape): the result is then ``(n, maxlen, *item_shape)``.

    >>> pad_sequences([[1], [2, 3]], padding="post", value=-1)
    array([[ 1, -1],
           [ 2,  3]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("pad_sequences: `sequences` must be a list of sequences")
    if padding not in ("pre", "post"):
        raise ValueError(f'pad_sequences: padding must be "pre" or "post", got {padding!r}')
    if truncating not in ("pre", "post"):
        raise ValueError(f'pad_sequences: truncating must be "pre" or "post", got {truncating!r}')
    lengths, item_shape = [], None
    for s in sequences:
        try:
            lengths.append(len(s))
        except TypeError as e:
            raise ValueError(f"pad_sequences: `sequences` must be a list of iterables; found {s!r}") from e
        if item_shape is None and len(s):
            item_shape = np.asarray(s).shape[1:]
    item_shape = item_shape or ()
    if maxlen is None:
        maxlen = max(lengths, default=0)
    is_text = np.issubdtype(np.dtype(dtype), np.str_) or np.issubdtype(np.dtype(dtype), np.bytes_)
    if isinstance(value, str) and dtype is not object and not is_text:
        raise ValueError(f"pad_sequences: dtype {dtype} cannot hold the string value {value!r}; use dtype=object "
                         "for variable-length strings")
    out = np.full((len(sequences), maxlen, *item_shape), value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s) or maxlen == 0:
            continue
        kept = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if kept.shape[1:] != item_shape:
            raise ValueError(f"pad_sequences: sequence {i} has items of shape {kept.shape[1:]}, the others "
                             f"{item_shape}")
        if padding == "post":
            out[i, : len(kept)] = kept
        else:
            out[i, -len(kept):] = kept
    return out
