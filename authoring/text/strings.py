"""Telling texts from numbers in what a user hands ``fit``, ``predict`` or a runner.

>>> as_texts("one text"), as_texts(["a", "b"]), as_texts([1.0, 2.0])
(['one text'], ['a', 'b'], None)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["as_texts"]


def as_texts(x: Any, where: str = "texts") -> list[str] | None:
    """``x`` as a flat list of str when it holds strings (a str, a list/tuple of str, a numpy array of
    str or object str, of shape ``(n,)`` or ``(n, 1)``), else None. A list that mixes strings with
    other values, or a string array of another shape, is a TypeError / ValueError naming ``where``.

    >>> as_texts(["a", "b"]), as_texts(np.array([["a"], ["b"]])), as_texts(np.zeros(2))
    (['a', 'b'], ['a', 'b'], None)
    """
    if isinstance(x, str):
        return [x]
    if isinstance(x, list | tuple):
        if not x or not any(isinstance(v, str) or (isinstance(v, list | tuple) and v and isinstance(v[0], str))
                            for v in x):
            return None
        x = np.asarray(x, dtype=object)
    if not isinstance(x, np.ndarray) or x.dtype.kind not in "USO":
        return None
    if x.dtype.kind == "S":
        raise TypeError(f"{where}: bytes strings ({x.dtype}) are not text; decode them to str first")
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise ValueError(f"{where}: texts must have shape (n,) or (n, 1) (one string per example), got {x.shape}")
    texts = x.tolist()
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            if x.dtype.kind == "O" and not any(isinstance(v, str) for v in texts):
                return None  # an object array of numbers is not text
            raise TypeError(f"{where}[{i}] is {type(t).__name__} ({t!r:.40}); every entry must be a str")
    return texts
