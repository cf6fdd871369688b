"""MaxPool2DGrad: g routed to the first maximum of each window (MaxPool2D's VJP; the max is recomputed)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops.grad._pool import pool_grad_shape
from webgrad.raw_ops.grad.registry import register_grad
from webgrad.raw_ops.registry import REGISTRY, Array


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    g, x = inputs
    pool = REGISTRY["MaxPool2D"]
    y = pool.forward([x], attrs)
    with np.errstate(invalid="ignore"):  # a NaN window compares false everywhere: no gradient, by the op set
        return pool.vjp(g, [x], y, attrs)[0]


register_grad("MaxPool2DGrad", forward=_forward, shape=pool_grad_shape("MaxPool2DGrad", "MaxPool2D"))
