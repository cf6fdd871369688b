"""Where: y = x where cond != 0 else y, numpy broadcasting of all three; an exact select.

The VJP sends g to x where cond != 0 and to y elsewhere (selected, never multiplied, so an Inf in g
does not turn into NaN on the other side), each summed back to its input's shape; cond gets none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops.registry import Array, Shape, broadcast_shapes, register, unbroadcast, unbroadcast_per_example


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    cond, x, y = (tuple(s) for s in shapes)
    return broadcast_shapes("Where", broadcast_shapes("Where", cond, x), y), "float32"


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    cond, x, y = inputs
    _shape([cond.shape, x.shape, y.shape], [None] * 3, attrs)  # a ShapeError naming the op and shapes
    return np.where(cond != 0, x, y)


def _split(g: Array, cond: Array) -> tuple[Array, Array]:
    """g at the output shape, cut into the share of x (cond != 0) and of y (the rest)."""
    take = np.broadcast_to(cond != 0, g.shape)
    zero = np.zeros((), g.dtype)
    return np.where(take, g, zero), np.where(take, zero, g)


def _vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array | None]:
    cond, x, y = inputs
    gx, gy = _split(g, cond)
    return [None, unbroadcast(gx, x.shape), unbroadcast(gy, y.shape)]


def _vjp_per_example(
    g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any], per_example: Sequence[bool]
) -> list[Array | None]:
    cond, x, y = inputs
    out: list[Array | None] = [None]
    for share, v, flag in zip(_split(g, cond), (x, y), per_example[1:], strict=True):
        out.append(unbroadcast_per_example(share, v.shape) if flag else unbroadcast(share, v.shape))
    return out


register("Where", forward=_forward, shape=_shape, vjp=_vjp, vjp_per_example=_vjp_per_example)
