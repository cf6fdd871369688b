"""Relu6: y = min(max(x, 0), 6); NaN stays NaN."""

from __future__ import annotations

from typing import Any

from webgrad.raw_ops._activation import activate, activation_grad
from webgrad.raw_ops._elementwise import unary
from webgrad.raw_ops.registry import Array, register


def _forward(x: Array, attrs: dict[str, Any]) -> Array:
    return activate(x, "relu6", inplace=False)


def _grad(g: Array, x: Array, y: Array, attrs: dict[str, Any]) -> Array:
    return activation_grad(g, y, "relu6")


register("Relu6", **unary("Relu6", _forward, _grad))
