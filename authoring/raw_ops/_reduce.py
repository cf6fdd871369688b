"""Shape rules and the registry factory for the reductions (ReduceSum/Mean/Max, ArgMax)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._common import norm_axes, norm_axis
from webgrad.raw_ops.registry import Array, Shape, ShapeError

# fn(x, axes, keepdims) -> y;  grad(g, x, y, axes) -> dx, with g and y shaped as with keepdims=True
ReduceFn = Callable[[Array, tuple[int, ...], bool], Array]
ReduceGrad = Callable[[Array, Array, Array, tuple[int, ...]], Array]


def reduced_shape(x: Shape, axes: Sequence[int], keepdims: bool) -> Shape:
    """``x`` with ``axes`` (non-negative) removed, or set to 1 with ``keepdims``."""
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(x))
    return tuple(d for i, d in enumerate(x) if i not in axes)


def _reduce_shape(op: str) -> Callable[..., tuple[Shape, str]]:
    def shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
        x = tuple(shapes[0])
        return reduced_shape(x, norm_axes(op, attrs["axes"], len(x)), attrs["keepdims"]), "float32"

    return shape


def nonempty_axis(op: str, x: Shape, axis: int) -> int:
    """``axis`` of ``x`` made non-negative; ShapeError when that axis has size 0 (an ArgMax over nothing
    has no index: the op set's 'empty' rule). An unknown (None) dim passes.

    >>> nonempty_axis("ArgMax", (None, 3), -1)
    1
    """
    a = norm_axis(op, axis, len(x))
    if x[a] == 0:
        raise ShapeError(f"{op}: axis {axis} of x {tuple(x)} has size 0, so there is no index to return")
    return a


def axis_shape(op: str, dtype: str) -> Callable[..., tuple[Shape, str]]:
    """The ``reduce_axis`` rule: ``x`` without the single ``axis`` (kept as 1 with keepdims); the axis
    must not have size 0."""

    def shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
        x = tuple(shapes[0])
        return reduced_shape(x, (nonempty_axis(op, x, attrs["axis"]),), attrs["keepdims"]), dtype

    return shape


def reduction(op: str, fn: ReduceFn, grad: ReduceGrad) -> dict[str, Callable]:
    """Registry entry for reduction ``op`` over the ``axes``/``keepdims`` attributes (null axes: all)."""

    def forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
        x = inputs[0]
        return np.asarray(fn(x, norm_axes(op, attrs["axes"], x.ndim), attrs["keepdims"]))

    def vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array]:
        x = inputs[0]
        axes = norm_axes(op, attrs["axes"], x.ndim)
        kept = reduced_shape(x.shape, axes, True)
        return [grad(g.reshape(kept), x, output.reshape(kept), axes)]

    return {"forward": forward, "shape": _reduce_shape(op), "vjp": vjp}


def spread(g: Array, shape: Shape) -> Array:
    """A writable ``shape`` array of the broadcast kept-dims cotangent ``g``."""
    out = np.empty(shape, dtype=g.dtype)
    out[...] = g
    return out
