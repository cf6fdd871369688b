"""Exp: y = exp(x); overflow gives +Inf."""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad.raw_ops._elementwise import unary
from webgrad.raw_ops.registry import Array, register


def _forward(x: Array, attrs: dict[str, Any]) -> Array:
    with np.errstate(over="ignore"):  # +Inf on overflow is the spec, not a warning
        return np.exp(x)


def _grad(g: Array, x: Array, y: Array, attrs: dict[str, Any]) -> Array:
    return g * y


register("Exp", **unary("Exp", _forward, _grad))
