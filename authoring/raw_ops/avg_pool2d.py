"""AvgPool2D: mean over KH x KW windows of NHWC x, dividing by the number of real (unpadded) pixels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._window import Window, disjoint, pad, padded_zeros, pool_shape, pool_window, unpad
from webgrad.raw_ops.registry import Array, register


def _counts(win: Window, hw: tuple[int, int], dtype: np.dtype) -> Array | float:
    """Real pixels per window: ``[OH, OW, 1]``, or one number when nothing is padded."""
    if win.no_padding:
        return float(win.kernel[0] * win.kernel[1])
    real = pad(np.ones((1, *hw, 1), dtype=dtype), win)[0]
    counts = np.zeros((*win.out, 1), dtype=dtype)
    for _, _, rows, cols in win.offsets():
        counts += real[rows, cols]
    return counts


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    x = inputs[0]
    win = pool_window("AvgPool2D", x.shape, attrs)
    xp = pad(x, win)
    y = None
    for _, _, rows, cols in win.offsets():
        y = xp[:, rows, cols, :].copy() if y is None else np.add(y, xp[:, rows, cols, :], out=y)
    assert y is not None
    y /= _counts(win, x.shape[1:3], x.dtype)
    return y


def _vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array]:
    x = inputs[0]
    win = pool_window("AvgPool2D", x.shape, attrs)
    share = g / _counts(win, x.shape[1:3], g.dtype)
    dxp = padded_zeros(x.shape, win, g.dtype)
    write = disjoint(win)
    for _, _, rows, cols in win.offsets():
        if write:
            dxp[:, rows, cols, :] = share
        else:
            dxp[:, rows, cols, :] += share
    return [unpad(dxp, win, x.shape[1:3])]


register("AvgPool2D", forward=_forward, shape=pool_shape("AvgPool2D"), vjp=_vjp)
