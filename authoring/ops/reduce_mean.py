"""ReduceMean: mean over 'axes' (null: all axes)."""

from __future__ import annotations

import math

import numpy as np

from ._reduce import reduction, spread
from .registry import Array, register


def _mean(x: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
    return np.mean(x, axis=axes, keepdims=keepdims)


def _grad(g: Array, x: Array, y: Array, axes: tuple[int, ...]) -> Array:
    return spread(g / math.prod(x.shape[a] for a in axes), x.shape)


register("ReduceMean", **reduction("ReduceMean", _mean, _grad))
