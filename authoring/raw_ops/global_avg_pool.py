"""GlobalAvgPool: mean over H and W of NHWC x, giving [N, C]."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._common import need_rank
from webgrad.raw_ops.registry import Array, Shape, register


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    x = tuple(shapes[0])
    need_rank("GlobalAvgPool", "x (NHWC)", x, 4)
    return (x[0], x[3]), "float32"


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    need_rank("GlobalAvgPool", "x (NHWC)", inputs[0].shape, 4)
    return inputs[0].mean(axis=(1, 2))


def _vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array]:
    x = inputs[0]
    dx = np.empty_like(x, dtype=g.dtype)
    dx[...] = (g / (x.shape[1] * x.shape[2]))[:, None, None, :]
    return [dx]


register("GlobalAvgPool", forward=_forward, shape=_shape, vjp=_vjp)
