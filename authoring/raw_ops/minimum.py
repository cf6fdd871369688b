"""Minimum: y = min(a, b) elementwise, NaN-propagating; the gradient of a tie goes to a."""

from __future__ import annotations

import numpy as np

from webgrad.raw_ops._elementwise import binary
from webgrad.raw_ops.registry import Array, register


def _grads(g: Array, a: Array, b: Array, y: Array) -> tuple[Array, Array]:
    to_a = a <= b
    return g * to_a, g * ~to_a


register("Minimum", **binary("Minimum", np.minimum, _grads))
