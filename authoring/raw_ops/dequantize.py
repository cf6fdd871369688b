"""Dequantize: y = (float32(x) - zero_point) * scale, per tensor (axis null) or per channel along axis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._common import need_vector, norm_axis
from webgrad.raw_ops.registry import Array, Shape, ShapeError, register


def _check(x: Shape, params: Sequence[Shape | None], axis: int | None) -> int | None:
    """Validates scale/zero_point shapes; returns the normalized axis."""
    if axis is None:
        for name, s in zip(("scale", "zero_point"), params, strict=True):
            if s is not None and tuple(s) not in ((), (1,)):
                raise ShapeError(f"Dequantize: with axis null, {name} must be a scalar or [1], got {tuple(s)}")
        return None
    axis = norm_axis("Dequantize", axis, len(x))
    for name, s in zip(("scale", "zero_point"), params, strict=True):
        need_vector("Dequantize", name, s, x[axis], f"x[{axis}], one per channel")
    return axis


def _shape(shapes: Sequence[Shape | None], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    x = tuple(shapes[0])  # type: ignore[arg-type]
    _check(x, shapes[1:], attrs["axis"])
    return x, "float32"


def _forward(inputs: Sequence[Array | None], attrs: dict[str, Any]) -> Array:
    x, scale, zero_point = inputs
    assert x is not None
    axis = _check(x.shape, [None if p is None else p.shape for p in (scale, zero_point)], attrs["axis"])
    # Per channel: [C] -> [C, 1, ..., 1] so it broadcasts along 'axis'; per tensor: a scalar.
    along = (-1,) + (1,) * (x.ndim - axis - 1) if axis is not None else ()
    y = x.astype(np.float32)
    if zero_point is not None:
        y -= zero_point.reshape(along)
    if scale is not None:
        y *= scale.reshape(along)
    return y


register("Dequantize", forward=_forward, shape=_shape)
