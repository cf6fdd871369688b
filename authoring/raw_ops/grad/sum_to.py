"""SumTo: g summed down to like's shape, the VJP of numpy broadcasting (``unbroadcast``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._common import dims_agree
from webgrad.raw_ops.grad.registry import register_grad
from webgrad.raw_ops.registry import Array, Shape, ShapeError, unbroadcast


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    g, like = tuple(shapes[0]), tuple(shapes[1])
    fits = len(like) <= len(g) and all(
        d == 1 or dims_agree(d, n) for d, n in zip(like, g[len(g) - len(like):], strict=True)
    )
    if not fits:
        raise ShapeError(f"SumTo: like {like} does not broadcast to g {g}, so g cannot be summed down to it")
    return like, "float32"


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    g, like = inputs
    return np.array(unbroadcast(g, like.shape), dtype=np.float32)  # a copy: unbroadcast may return g


register_grad("SumTo", forward=_forward, shape=_shape)
