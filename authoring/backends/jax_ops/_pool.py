"""Window reductions shared by MaxPool2D and AvgPool2D (geometry from the reference's ``pool_window``)."""

from __future__ import annotations

from typing import Any

from jax import lax

from webgrad.raw_ops._window import pool_window


def reduce_window(op: str, x: Any, attrs: dict[str, Any], init: float, fn: Any) -> Any:
    """``fn``-reduces every pooling window of NHWC ``x``; padding holds ``init``."""
    win = pool_window(op, x.shape, attrs)
    t, b, left, r = win.pads
    return lax.reduce_window(x, x.dtype.type(init), fn, (1, *win.kernel, 1), (1, *win.strides, 1),
                             [(0, 0), (t, b), (left, r), (0, 0)])
