"""The registry entry shared by SoftmaxGrad and LogSoftmaxGrad: both are their forward op's VJP from (g, y)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from webgrad.raw_ops._common import norm_axis
from webgrad.raw_ops.grad.registry import need_shape
from webgrad.raw_ops.registry import REGISTRY, Array, Shape


def softmax_grad_entry(grad_op: str, op: str) -> dict[str, Callable]:
    """``forward``/``shape`` of ``grad_op``, the VJP of ``op`` (which reads only its output)."""

    def shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
        g = tuple(shapes[0])
        need_shape(grad_op, "y (g's shape)", shapes[1], g)
        norm_axis(grad_op, attrs["axis"], len(g))
        return g, "float32"

    def forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
        g, y = inputs
        return REGISTRY[op].vjp(g, [y], y, attrs)[0]

    return {"forward": forward, "shape": shape}
