"""Abs: y = |x| (float32 or int32, numpy.abs); the gradient is g * sign(x), 0 at x = 0 (numpy's sign)."""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad.raw_ops._elementwise import unary
from webgrad.raw_ops.registry import Array, register


def _forward(x: Array, attrs: dict[str, Any]) -> Array:
    return np.abs(x)


def _grad(g: Array, x: Array, y: Array, attrs: dict[str, Any]) -> Array:
    return g * np.sign(x).astype(g.dtype)


register("Abs", **unary("Abs", _forward, _grad))
