"""Sqrt: y = sqrt(x); Sqrt(x < 0) = NaN."""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad.raw_ops._elementwise import unary
from webgrad.raw_ops.registry import Array, register


def _forward(x: Array, attrs: dict[str, Any]) -> Array:
    with np.errstate(invalid="ignore"):  # NaN for x < 0 is the spec, not a warning
        return np.sqrt(x)


def _grad(g: Array, x: Array, y: Array, attrs: dict[str, Any]) -> Array:
    return g * 0.5 / y


register("Sqrt", **unary("Sqrt", _forward, _grad))
