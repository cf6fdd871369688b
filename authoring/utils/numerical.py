"""Array helpers of ``keras.utils``: ``to_categorical`` (one-hot labels) and ``normalize`` (unit norm).

>>> to_categorical([0, 2, 1], num_classes=3)
array([[1., 0., 0.],
       [0., 0., 1.],
       [0., 1., 0.]])
"""

from __future__ import annotations

from typing import Any

import numpy as np


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """Integer class labels as one-hot float rows; a trailing dim of 1 is dropped first, as in Keras.

    >>> to_categorical([[1], [0]]).shape
    (2, 2)
    """
    labels = np.array(np.asarray(x), dtype="int64")
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    labels = labels.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(labels)) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"to_categorical: labels must be in [0, {num_classes}) for num_classes={num_classes}, "
                         f"got values from {labels.min()} to {labels.max()}")
    onehot = np.zeros((labels.size, num_classes))
    onehot[np.arange(labels.size), labels] = 1
    return onehot.reshape((*shape, num_classes))


def normalize(x: Any, axis: int = -1, order: int = 2) -> np.ndarray:
    """``x`` divided by its ``order``-norm along ``axis`` (zero vectors stay zero).

    >>> normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    array([[0.6, 0.8],
           [0. , 0. ]])
    """
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis if axis is not None else -1)
