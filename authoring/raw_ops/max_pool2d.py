"""MaxPool2D: max over KH x KW windows of NHWC x; padding never wins; the gradient goes to the
first maximum in row-major window order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._window import disjoint, pad, pool_shape, pool_window, unpad
from webgrad.raw_ops.registry import Array, register


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    x = inputs[0]
    win = pool_window("MaxPool2D", x.shape, attrs)
    xp = pad(x, win, -np.inf)
    y = None
    for _, _, rows, cols in win.offsets():
        window = xp[:, rows, cols, :]
        # np.maximum propagates NaN, so a NaN anywhere in a window gives NaN.
        y = window.copy() if y is None else np.maximum(y, window, out=y)
    assert y is not None
    return y


def _vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array]:
    x = inputs[0]
    win = pool_window("MaxPool2D", x.shape, attrs)
    xp = pad(x, win, -np.inf)
    write = disjoint(win)
    # Windows that tile the input exactly write every pixel once, so the buffer needs no zeroing.
    tiled = (
        write and win.no_padding and all(o * s == n for o, s, n in zip(win.out, win.strides, x.shape[1:3], strict=True))
    )
    dxp = np.empty(xp.shape, dtype=g.dtype) if tiled else np.zeros(xp.shape, dtype=g.dtype)
    taken = None  # windows whose maximum an earlier offset (in row-major window order) already took
    for _, _, rows, cols in win.offsets():
        hit = xp[:, rows, cols, :] == output
        if taken is None:
            taken = hit
        else:
            np.greater(hit, taken, out=hit)  # hit and not taken
            taken |= hit
        if write:
            np.multiply(g, hit, out=dxp[:, rows, cols, :])
        else:
            dxp[:, rows, cols, :] += g * hit
    return [unpad(dxp, win, x.shape[1:3])]


register("MaxPool2D", forward=_forward, shape=pool_shape("MaxPool2D"), vjp=_vjp)
