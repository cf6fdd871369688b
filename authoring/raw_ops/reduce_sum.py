"""ReduceSum: sum over 'axes' (null: all axes)."""

from __future__ import annotations

import numpy as np

from webgrad.raw_ops._reduce import reduction, spread
from webgrad.raw_ops.registry import Array, register


def _sum(x: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
    return np.sum(x, axis=axes, keepdims=keepdims)


def _grad(g: Array, x: Array, y: Array, axes: tuple[int, ...]) -> Array:
    return spread(g, x.shape)


register("ReduceSum", **reduction("ReduceSum", _sum, _grad))
