"""Flatten: reshape to 2-D [prod(x[:axis]), prod(x[axis:])]."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from webgrad.raw_ops._common import out_dtype, prod
from webgrad.raw_ops.registry import Array, Shape, ShapeError, register


def _flat(x: Shape, axis: int) -> Shape:
    if not -len(x) <= axis <= len(x):
        raise ShapeError(f"Flatten: axis {axis} is out of range for shape {tuple(x)}")
    if axis < 0:
        axis += len(x)  # like ONNX; axis == rank is allowed too and gives [prod(x), 1]
    return prod(x[:axis]), prod(x[axis:])


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    return _flat(tuple(shapes[0]), attrs["axis"]), out_dtype("Flatten", dtypes, attrs)


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    x = inputs[0]
    return x.reshape(_flat(x.shape, attrs["axis"]))


def _vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array]:
    return [g.reshape(inputs[0].shape)]


register("Flatten", forward=_forward, shape=_shape, vjp=_vjp)
