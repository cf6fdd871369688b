"""Sigmoid: y = 1 / (1 + exp(-x)), without overflow for large |x|."""

from __future__ import annotations

from typing import Any

from webgrad.raw_ops._activation import activate, activation_grad
from webgrad.raw_ops._elementwise import unary
from webgrad.raw_ops.registry import Array, register


def _forward(x: Array, attrs: dict[str, Any]) -> Array:
    return activate(x, "sigmoid", inplace=False)


def _grad(g: Array, x: Array, y: Array, attrs: dict[str, Any]) -> Array:
    return activation_grad(g, y, "sigmoid")


register("Sigmoid", **unary("Sigmoid", _forward, _grad))
