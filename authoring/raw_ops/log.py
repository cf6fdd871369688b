"""Log: y = ln(x); Log(0) = -Inf and Log(x < 0) = NaN."""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad.raw_ops._elementwise import unary
from webgrad.raw_ops.registry import Array, register


def _forward(x: Array, attrs: dict[str, Any]) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):  # -Inf and NaN are the spec, not warnings
        return np.log(x)


def _grad(g: Array, x: Array, y: Array, attrs: dict[str, Any]) -> Array:
    return g / x


register("Log", **unary("Log", _forward, _grad))
