"""The shape rule shared by MaxPool2DGrad and AvgPool2DGrad: x's shape, with g the pool's output."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from webgrad.raw_ops.grad.registry import forward_shape, need_shape
from webgrad.raw_ops.registry import Shape


def pool_grad_shape(grad_op: str, op: str) -> Callable[..., tuple[Shape, str]]:
    """The ``pool2d_grad`` rule of ``grad_op`` (inputs g, x or like_x), the VJP of pool ``op``."""

    def shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
        g, x = tuple(shapes[0]), tuple(shapes[1])
        need_shape(grad_op, f"g ({op}'s output for x {x})", g, forward_shape(op, grad_op, [x], attrs))
        return x, "float32"

    return shape
