"""Gelu: y = x * Phi(x) (exact erf form), or the tanh approximation with ``approximate``."""

from __future__ import annotations

from typing import Any

from webgrad.raw_ops._activation import activate, activation_grad
from webgrad.raw_ops._elementwise import unary
from webgrad.raw_ops.registry import Array, register


def _name(attrs: dict[str, Any]) -> str:
    return "gelu_tanh" if attrs["approximate"] else "gelu"


def _forward(x: Array, attrs: dict[str, Any]) -> Array:
    return activate(x, _name(attrs), inplace=False)


def _grad(g: Array, x: Array, y: Array, attrs: dict[str, Any]) -> Array:
    return activation_grad(g, y, _name(attrs), pre=x)


register("Gelu", **unary("Gelu", _forward, _grad))
