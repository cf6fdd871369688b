"""AvgPool2DGrad: each window's g divided by its real-pixel count and spread over it (AvgPool2D's VJP)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from webgrad.raw_ops.grad._pool import pool_grad_shape
from webgrad.raw_ops.grad.registry import register_grad, shape_only
from webgrad.raw_ops.registry import REGISTRY, Array


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    g, like_x = inputs
    return REGISTRY["AvgPool2D"].vjp(g, [shape_only(like_x)], g, attrs)[0]


register_grad("AvgPool2DGrad", forward=_forward, shape=pool_grad_shape("AvgPool2DGrad", "AvgPool2D"))
