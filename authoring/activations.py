"""Activation functions by Keras name, each one op-set op.

``FUSABLE`` are the ones MatMul and Conv2D take as their fused ``activation`` attribute.

>>> import numpy as np
>>> get("relu")(np.array([-1.0, 1.0], np.float32)).numpy()
array([0., 1.], dtype=float32)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from webgrad import raw_ops as ops

FUSABLE = {"linear": "none", "relu": "relu", "relu6": "relu6", "leaky_relu": "leaky_relu",
           "sigmoid": "sigmoid", "tanh": "tanh", "gelu": "gelu"}

_UNFUSED: dict[str, Callable[[Any], Any]] = {
    "linear": lambda x: x,
    "relu": ops.Relu,
    "relu6": ops.Relu6,
    "leaky_relu": ops.LeakyRelu,
    "sigmoid": ops.Sigmoid,
    "tanh": ops.Tanh,
    "gelu": ops.Gelu,
    "exponential": ops.Exp,
    "softmax": ops.Softmax,
    "log_softmax": ops.LogSoftmax,
}

NAMES = sorted(_UNFUSED)


def check(name: str | None) -> str:
    """Returns the canonical activation name (None means linear); unknown names list the valid ones."""
    name = "linear" if name is None else name
    if name not in _UNFUSED:
        raise ValueError(f"unknown activation {name!r}; valid: {', '.join(NAMES)}")
    return name


def get(name: str | None) -> Callable[[Any], Any]:
    """The activation function for ``name``."""
    return _UNFUSED[check(name)]
