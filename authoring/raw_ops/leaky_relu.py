"""LeakyRelu: y = x if x >= 0 else alpha * x."""

from __future__ import annotations

from typing import Any

from webgrad.raw_ops._activation import activate, activation_grad
from webgrad.raw_ops._elementwise import unary
from webgrad.raw_ops.registry import Array, register


def _forward(x: Array, attrs: dict[str, Any]) -> Array:
    return activate(x, "leaky_relu", attrs["alpha"], inplace=False)


def _grad(g: Array, x: Array, y: Array, attrs: dict[str, Any]) -> Array:
    return activation_grad(g, y, "leaky_relu", attrs["alpha"], pre=x)


register("LeakyRelu", **unary("LeakyRelu", _forward, _grad))
