"""Sign: y = -1, 0 or 1 by the sign of x (float32 or int32, numpy.sign); not differentiable."""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad.raw_ops._elementwise import unary
from webgrad.raw_ops.registry import Array, register


def _forward(x: Array, attrs: dict[str, Any]) -> Array:
    return np.sign(x)


register("Sign", **unary("Sign", _forward))
