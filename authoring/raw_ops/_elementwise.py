"""Factories that turn an elementwise formula into the registry entry of a unary or binary op.

An op module then reads ``register("Add", **binary("Add", np.add, _grads))``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._common import norm_axis, out_dtype
from webgrad.raw_ops.registry import Array, Shape, broadcast_shapes, unbroadcast, unbroadcast_per_example

UnaryFn = Callable[[Array, dict[str, Any]], Array]
UnaryGrad = Callable[[Array, Array, Array, dict[str, Any]], Array]
BinaryFn = Callable[[Array, Array], Array]
BinaryGrads = Callable[[Array, Array, Array, Array], tuple[Array, Array]]


def same_shape(op: str, axis_attr: str | None = None) -> Callable[..., tuple[Shape, str]]:
    """The ``same`` shape rule: the output has the first input's shape (and ``axis_attr`` must fit it)."""

    def shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
        if axis_attr is not None:
            norm_axis(op, attrs[axis_attr], len(shapes[0]), axis_attr)
        return tuple(shapes[0]), out_dtype(op, dtypes, attrs)

    return shape


def unary(op: str, fn: UnaryFn, grad: UnaryGrad | None = None) -> dict[str, Callable]:
    """Registry entry for ``y = fn(x, attrs)`` with ``dx = grad(g, x, y, attrs)``."""

    def forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
        return fn(inputs[0], attrs)

    def vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array]:
        assert grad is not None
        return [grad(g, inputs[0], output, attrs)]

    return {"forward": forward, "shape": same_shape(op), "vjp": vjp if grad is not None else None}


def binary(op: str, fn: BinaryFn, grads: BinaryGrads) -> dict[str, Callable]:
    """Registry entry for broadcasting ``y = fn(a, b)``.

    ``grads(g, a, b, y)`` returns the cotangents of ``a`` and ``b`` at the broadcast shape (or any
    shape that broadcasts to it); the factory sums them back to each input's shape.
    """

    def forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
        a, b = inputs
        try:
            return fn(a, b)
        except ValueError:
            broadcast_shapes(op, a.shape, b.shape)  # re-raised as a ShapeError naming the op and shapes
            raise

    def shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
        return broadcast_shapes(op, tuple(shapes[0]), tuple(shapes[1])), out_dtype(op, dtypes, attrs)

    def vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array]:
        a, b = inputs
        ga, gb = grads(g, a, b, output)
        return [_fit(ga, g.shape, a.shape), _fit(gb, g.shape, b.shape)]

    def vjp_per_example(
        g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any], per_example: Sequence[bool]
    ) -> list[Array]:
        a, b = inputs
        ga, gb = grads(g, a, b, output)
        out = []
        for gx, x, flag in zip((ga, gb), (a, b), per_example, strict=True):
            if flag:
                full = gx if gx.shape == g.shape else np.broadcast_to(gx, g.shape)
                out.append(_writable(unbroadcast_per_example(full, x.shape)))
            else:
                out.append(_fit(gx, g.shape, x.shape))
        return out

    return {"forward": forward, "shape": shape, "vjp": vjp, "vjp_per_example": vjp_per_example}


def _fit(gx: Array, out_shape: Shape, shape: Shape) -> Array:
    # A grad rule may return g itself for both inputs (Add): fine, autodiff never writes into grads.
    if gx.shape == tuple(out_shape):
        return unbroadcast(gx, shape)
    return _writable(unbroadcast(np.broadcast_to(gx, out_shape), shape))


def _writable(r: Array) -> Array:
    # A reshaped broadcast view is read-only; hand out a real array (copied only then).
    return r if r.flags.writeable else r.copy()
