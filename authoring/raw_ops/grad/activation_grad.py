"""ActivationGrad: g * act'(x), exactly ``activation_grad`` of authoring/raw_ops/_activation.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from webgrad.raw_ops._activation import activation_grad
from webgrad.raw_ops.grad.registry import need_shape, register_grad
from webgrad.raw_ops.registry import Array, Shape


def activation_name(attrs: dict[str, Any]) -> str:
    """The ``_activation`` name of the attributes: ``gelu`` with ``approximate`` is ``gelu_tanh``.

    >>> activation_name({"activation": "gelu", "approximate": True})
    'gelu_tanh'
    """
    name = attrs["activation"]
    return "gelu_tanh" if name == "gelu" and attrs["approximate"] else name


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    g = tuple(shapes[0])
    need_shape("ActivationGrad", "x (g's shape)", shapes[1], g)
    need_shape("ActivationGrad", "y (g's shape)", shapes[2], g)
    return g, "float32"


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    g, x, y = inputs
    return activation_grad(g, y, activation_name(attrs), attrs["alpha"], pre=x)


register_grad("ActivationGrad", forward=_forward, shape=_shape)
