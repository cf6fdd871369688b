"""GatherGrad: scatter-add of g into zeros of data's shape (Gather's VJP)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from webgrad.raw_ops.grad.registry import forward_shape, need_shape, register_grad, shape_only
from webgrad.raw_ops.registry import REGISTRY, Array, Shape


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    g, indices, like_data = (tuple(s) for s in shapes)
    want = forward_shape("Gather", "GatherGrad", [like_data, indices], attrs)
    need_shape("GatherGrad", f"g (Gather's output for data {like_data} and indices {indices})", g, want)
    return like_data, "float32"


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    g, indices, like_data = inputs
    return REGISTRY["Gather"].vjp(g, [shape_only(like_data), indices], g, attrs)[0]


register_grad("GatherGrad", forward=_forward, shape=_shape)
