"""Floor: y = the largest whole number <= x (numpy.floor); not differentiable."""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad.raw_ops._elementwise import unary
from webgrad.raw_ops.registry import Array, register


def _forward(x: Array, attrs: dict[str, Any]) -> Array:
    return np.floor(x)


register("Floor", **unary("Floor", _forward))
