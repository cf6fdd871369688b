"""Slice: y = x[starts:ends:steps] on the listed axes, with numpy slice semantics (positive steps)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._common import norm_axis, out_dtype
from webgrad.raw_ops.registry import Array, Shape, ShapeError, register


def _slices(x: Shape, attrs: dict[str, Any]) -> tuple[slice, ...]:
    """One slice per axis of ``x`` (``slice(None)`` for the axes not listed)."""
    starts, ends = attrs["starts"], attrs["ends"]
    axes = attrs["axes"] or list(range(len(starts)))
    steps = attrs["steps"] or [1] * len(starts)
    if not len(starts) == len(ends) == len(axes) == len(steps):
        raise ShapeError(
            f"Slice: starts {starts}, ends {ends}, axes {attrs['axes']} and steps {attrs['steps']} "
            "must have the same length (empty axes/steps mean the defaults)"
        )
    if any(s <= 0 for s in steps):
        raise ShapeError(f"Slice: steps must be positive, got {steps}")
    axes = [norm_axis("Slice", a, len(x), "axes entry") for a in axes]  # keeps order: starts[i] is axes[i]
    if len(set(axes)) != len(axes):
        raise ShapeError(f"Slice: axes {attrs['axes']} name an axis twice")
    out = [slice(None)] * len(x)
    for axis, start, end, step in zip(axes, starts, ends, steps, strict=True):
        out[axis] = slice(start, end, step)
    return tuple(out)


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    x = tuple(shapes[0])
    out = tuple(None if d is None else len(range(*s.indices(d))) for d, s in zip(x, _slices(x, attrs), strict=True))
    return out, out_dtype("Slice", dtypes, attrs)


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    x = inputs[0]
    return x[_slices(x.shape, attrs)]


def _vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array]:
    x = inputs[0]
    dx = np.zeros(x.shape, dtype=g.dtype)
    dx[_slices(x.shape, attrs)] = g
    return [dx]


register("Slice", forward=_forward, shape=_shape, vjp=_vjp)
