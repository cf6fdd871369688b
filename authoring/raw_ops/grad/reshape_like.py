"""ReshapeLike: g's data under like's shape (the VJP of Reshape and Flatten)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._common import prod
from webgrad.raw_ops.grad.registry import register_grad, shape_only
from webgrad.raw_ops.registry import REGISTRY, Array, Shape, ShapeError


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    g, like = tuple(shapes[0]), tuple(shapes[1])
    n, m = prod(g), prod(like)
    if n is not None and m is not None and n != m:
        raise ShapeError(f"ReshapeLike: g {g} has {n} elements but like {like} has {m}")
    return like, "float32"


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    g, like = inputs
    return np.array(REGISTRY["Reshape"].vjp(g, [shape_only(like)], g, {"shape": [-1]})[0])


register_grad("ReshapeLike", forward=_forward, shape=_shape)
