"""Softmax along 'axis', stable: exp(x - max(x)) / sum(exp(x - max(x)))."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._common import norm_axis
from webgrad.raw_ops._elementwise import same_shape
from webgrad.raw_ops.registry import Array, register


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    x = inputs[0]
    axis = norm_axis("Softmax", attrs["axis"], x.ndim)
    # +Inf - +Inf is NaN, which then fills the row through the sum: the op set's NaN rule.
    with np.errstate(invalid="ignore"):
        e = x - x.max(axis=axis, keepdims=True, initial=-np.inf)  # initial: a size-0 axis gives an empty y
    np.exp(e, out=e)
    e /= e.sum(axis=axis, keepdims=True)
    return e


def _vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array]:
    axis = norm_axis("Softmax", attrs["axis"], output.ndim)
    gy = g * output
    gy -= output * gy.sum(axis=axis, keepdims=True)
    return [gy]


register("Softmax", forward=_forward, shape=same_shape("Softmax", "axis"), vjp=_vjp)
