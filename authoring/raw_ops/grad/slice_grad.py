"""SliceGrad: zeros of x's shape with g where Slice read (Slice's VJP)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from webgrad.raw_ops.grad.registry import forward_shape, need_shape, register_grad, shape_only
from webgrad.raw_ops.registry import REGISTRY, Array, Shape


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    g, like_x = tuple(shapes[0]), tuple(shapes[1])
    y = forward_shape("Slice", "SliceGrad", [like_x], attrs)
    need_shape("SliceGrad", f"g (Slice's output for x {like_x})", g, y)
    return like_x, "float32"


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    g, like_x = inputs
    return REGISTRY["Slice"].vjp(g, [shape_only(like_x)], g, attrs)[0]


register_grad("SliceGrad", forward=_forward, shape=_shape)
