"""LogSoftmax along 'axis', stable: x - max(x) - log(sum(exp(x - max(x))))."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._common import norm_axis
from webgrad.raw_ops._elementwise import same_shape
from webgrad.raw_ops.registry import Array, register


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    x = inputs[0]
    axis = norm_axis("LogSoftmax", attrs["axis"], x.ndim)
    with np.errstate(invalid="ignore"):  # +Inf - +Inf = NaN spreads over the row, as the op set asks
        shifted = x - x.max(axis=axis, keepdims=True, initial=-np.inf)  # initial: a size-0 axis gives an empty y
    with np.errstate(divide="ignore"):  # log(0) of a size-0 axis, subtracted from nothing
        shifted -= np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return shifted


def _vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array]:
    axis = norm_axis("LogSoftmax", attrs["axis"], output.ndim)
    return [g - np.exp(output) * g.sum(axis=axis, keepdims=True)]


register("LogSoftmax", forward=_forward, shape=same_shape("LogSoftmax", "axis"), vjp=_vjp)
