"""Mul: y = a * b with numpy broadcasting."""

from __future__ import annotations

import numpy as np

from webgrad.raw_ops._elementwise import binary
from webgrad.raw_ops.registry import Array, register


def _grads(g: Array, a: Array, b: Array, y: Array) -> tuple[Array, Array]:
    return g * b, g * a


register("Mul", **binary("Mul", np.multiply, _grads))
