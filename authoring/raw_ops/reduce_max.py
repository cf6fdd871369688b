"""ReduceMax: max over 'axes' (null: all axes); NaN wins; the gradient is split evenly among ties."""

from __future__ import annotations

import numpy as np

from webgrad.raw_ops._reduce import reduction
from webgrad.raw_ops.registry import Array, register


def _max(x: Array, axes: tuple[int, ...], keepdims: bool) -> Array:
    # initial=-inf: a zero-size reduced axis gives -Inf (the op set's 'empty'), not numpy's ValueError
    return np.max(x, axis=axes, keepdims=keepdims, initial=-np.inf)


def _grad(g: Array, x: Array, y: Array, axes: tuple[int, ...]) -> Array:
    hit = x == y
    with np.errstate(divide="ignore", invalid="ignore"):  # a NaN max has no hit: its gradient is NaN
        return hit * (g / hit.sum(axis=axes, keepdims=True, dtype=np.float32))


register("ReduceMax", **reduction("ReduceMax", _max, _grad))
