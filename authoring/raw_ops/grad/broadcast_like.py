"""BroadcastLike: the VJP of ReduceSum / ReduceMean (and GlobalAvgPool): g spread back over the reduced axes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from webgrad.raw_ops._common import norm_axes
from webgrad.raw_ops._reduce import reduced_shape
from webgrad.raw_ops.grad.registry import need_shape, register_grad, shape_only
from webgrad.raw_ops.registry import REGISTRY, Array, Shape


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    g, like = tuple(shapes[0]), tuple(shapes[1])
    reduced = reduced_shape(like, norm_axes("BroadcastLike", attrs["axes"], len(like)), attrs["keepdims"])
    need_shape("BroadcastLike", f"g (like {like} reduced over axes {attrs['axes']})", g, reduced)
    return like, "float32"


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    g, like = inputs
    op = "ReduceMean" if attrs["mean"] else "ReduceSum"
    fwd = {"axes": attrs["axes"], "keepdims": attrs["keepdims"]}
    return REGISTRY[op].vjp(g, [shape_only(like)], g, fwd)[0]


register_grad("BroadcastLike", forward=_forward, shape=_shape)
