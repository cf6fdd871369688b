"""Div: y = a / b with numpy broadcasting; IEEE results for division by zero."""

from __future__ import annotations

import numpy as np

from webgrad.raw_ops._elementwise import binary
from webgrad.raw_ops.registry import Array, register


def _div(a: Array, b: Array) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):  # x/0 = +-Inf and 0/0 = NaN are the spec
        return np.divide(a, b)


def _grads(g: Array, a: Array, b: Array, y: Array) -> tuple[Array, Array]:
    ga = g / b
    return ga, -ga * y  # d(a/b)/db = -(a/b)/b


register("Div", **binary("Div", _div, _grads))
