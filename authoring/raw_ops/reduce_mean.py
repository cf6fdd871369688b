"""ReduceMean: mean over 'axes' (null: all axes)."""

from __future__ import annotations

import math

import numpy as np

from webgrad.raw_ops._reduce import reduced_shape, reduction, spread
from webgrad.raw_ops.registry import Array, register


def _mean(x: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
    count = math.prod(x.shape[a] for a in axes)
    if count == 0:  # the op set's 'empty': 0 / 0 = NaN, without numpy's "Mean of empty slice" warning
        return np.full(reduced_shape(x.shape, axes, keepdims), np.nan, x.dtype)
    return np.mean(x, axis=axes, keepdims=keepdims)


def _grad(g: Array, x: Array, y: Array, axes: tuple[int, ...]) -> Array:
    count = math.prod(x.shape[a] for a in axes)
    return spread(g / count if count else g, x.shape)  # count 0: x is empty, so is its gradient


register("ReduceMean", **reduction("ReduceMean", _mean, _grad))
