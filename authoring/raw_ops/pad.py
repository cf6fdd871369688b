"""Pad: constant padding, ``pads = [before_0, after_0, before_1, after_1, ...]`` (one pair per axis).

The VJP is the interior of the cotangent: a Slice, so the gradient flows without a kernel of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._common import out_dtype
from webgrad.raw_ops.registry import Array, Shape, ShapeError, register

MAX_RANK = 6  # the wasm kernels' params hold 6 dims; every implementation refuses more


def pad_pairs(shape: Shape, dtype: str, attrs: dict[str, Any]) -> list[tuple[int, int]]:
    """``pads`` as one ``(before, after)`` pair per axis of x (``shape``, ``dtype``), checked with the
    fill value (an int32 x takes whole numbers only).

    >>> pad_pairs((2, 3), "float32", {"pads": [0, 0, 1, 2], "value": 0.0})
    [(0, 0), (1, 2)]
    """
    pads, rank = list(attrs["pads"]), len(shape)
    if rank > MAX_RANK:
        raise ShapeError(f"Pad: x has rank {rank}; Pad supports rank 0 to {MAX_RANK}")
    if len(pads) != 2 * rank:
        raise ShapeError(f"Pad: pads {pads} must have 2 * rank = {2 * rank} entries (before, after per axis) "
                         f"for x of shape {tuple(shape)}")
    if any(p < 0 for p in pads):
        raise ShapeError(f"Pad: pads {pads} must be >= 0 (use Slice to crop)")
    if dtype == "int32" and not float(attrs["value"]).is_integer():
        raise ShapeError(f"Pad: value {attrs['value']} must be a whole number to pad an int32 x")
    return [(pads[2 * d], pads[2 * d + 1]) for d in range(rank)]


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    x = tuple(shapes[0])
    dtype = out_dtype("Pad", dtypes, attrs)
    pairs = pad_pairs(x, dtype, attrs)
    out = tuple(None if d is None else d + lo + hi for d, (lo, hi) in zip(x, pairs, strict=True))
    return out, dtype


def interior(x: Array, attrs: dict[str, Any]) -> tuple[slice, ...]:
    """The slices of the padded output that hold ``x``."""
    pairs = pad_pairs(x.shape, str(x.dtype), attrs)
    return tuple(slice(lo, lo + d) for d, (lo, _) in zip(x.shape, pairs, strict=True))


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    x = inputs[0]
    pairs = pad_pairs(x.shape, str(x.dtype), attrs)
    if not pairs:  # a scalar: nothing to pad (np.pad refuses an empty pad_width)
        return x.copy()
    return np.pad(x, pairs, mode="constant", constant_values=np.asarray(attrs["value"]).astype(x.dtype))


def _vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array]:
    return [np.ascontiguousarray(g[interior(inputs[0], attrs)])]


register("Pad", forward=_forward, shape=_shape, vjp=_vjp)
