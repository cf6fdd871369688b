"""ReduceMaxGrad: g split evenly among the maxima of each group (ReduceMax's VJP)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops.grad.registry import forward_shape, need_shape, register_grad
from webgrad.raw_ops.registry import REGISTRY, Array, Shape


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    g, x, y = (tuple(s) for s in shapes)
    reduced = forward_shape("ReduceMax", "ReduceMaxGrad", [x], attrs)
    need_shape("ReduceMaxGrad", f"g (ReduceMax's output for x {x})", g, reduced)
    need_shape("ReduceMaxGrad", f"y (ReduceMax's output for x {x})", y, reduced)
    return x, "float32"


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    g, x, y = inputs
    with np.errstate(invalid="ignore"):  # a NaN maximum: 0 * (g / 0), NaN over the group by the op set
        return REGISTRY["ReduceMax"].vjp(g, [x], y, attrs)[0]


register_grad("ReduceMaxGrad", forward=_forward, shape=_shape)
