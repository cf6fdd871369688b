"""BatchNorm (inference form) over the last axis: y = (x - mean) / sqrt(var + epsilon) * scale + bias."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._common import batched_only, need_rank, need_vector
from webgrad.raw_ops.registry import Array, Shape, register

_PARAMS = ("scale", "bias", "mean", "var")


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    x = tuple(shapes[0])
    need_rank("BatchNorm", "x", x, 1, at_least=True)
    for name, s in zip(_PARAMS, shapes[1:], strict=True):
        need_vector("BatchNorm", name, s, x[-1], "the channels, x[-1]")
    return x, "float32"


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    x, scale, bias, mean, var = inputs
    _shape([a.shape for a in inputs], [], attrs)
    y = x - mean
    y *= scale / np.sqrt(var + attrs["epsilon"])
    y += bias
    return y


def _vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array]:
    return _vjp_per_example(g, inputs, output, attrs, (False,) * 5)


def _vjp_per_example(
    g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any], per_example: Sequence[bool]
) -> list[Array]:
    """Gradients; flagged parameters get one per example, ``[B, C]``."""
    x, scale, _, mean, var = inputs
    if per_example[0] or (any(per_example) and x.ndim < 2):
        raise batched_only("BatchNorm", "x")
    inv = 1 / np.sqrt(var + attrs["epsilon"])
    every = tuple(range(x.ndim - 1))

    def total(term: Array, flag: bool) -> Array:
        return np.sum(term, axis=every[1:] if flag else every)  # keep the batch axis when per example

    g_xhat = g * ((x - mean) * inv)
    dscale = total(g_xhat, per_example[1])
    dbias = total(g, per_example[2])
    dmean = total(g, per_example[3]) * (-scale * inv)
    dvar = total(g_xhat, per_example[4]) * (scale * -0.5 * inv * inv)
    return [g * (scale * inv), dscale, dbias, dmean, dvar]


register("BatchNorm", forward=_forward, shape=_shape, vjp=_vjp, vjp_per_example=_vjp_per_example)
