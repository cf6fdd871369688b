"""Concat: joins the inputs along 'axis'; all other dims must agree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._common import dims_agree, norm_axis
from webgrad.raw_ops.registry import Array, Shape, ShapeError, register


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    first = tuple(shapes[0])
    axis = norm_axis("Concat", attrs["axis"], len(first))
    out = list(first)
    for i, s in enumerate(shapes[1:], start=1):
        s = tuple(s)
        if len(s) != len(first) or not all(
            dims_agree(a, b) for k, (a, b) in enumerate(zip(s, first, strict=True)) if k != axis
        ):
            raise ShapeError(f"Concat: input {i} is {s} but input 0 is {first}: dims other than axis {axis} differ")
        out = [a if a is not None else b for a, b in zip(out, s, strict=True)]
    if len(set(dtypes)) > 1:
        raise ShapeError(f"Concat: inputs have different dtypes {list(dtypes)}")
    sizes = [s[axis] for s in shapes]
    out[axis] = None if None in sizes else sum(sizes)
    return tuple(out), dtypes[0] or "float32"


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    try:
        return np.concatenate(inputs, axis=norm_axis("Concat", attrs["axis"], inputs[0].ndim))
    except ValueError:
        _shape([x.shape for x in inputs], [str(x.dtype) for x in inputs], attrs)  # names what disagrees
        raise


def _vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array]:
    axis = norm_axis("Concat", attrs["axis"], g.ndim)
    return np.split(g, np.cumsum([x.shape[axis] for x in inputs[:-1]]), axis=axis)


register("Concat", forward=_forward, shape=_shape, vjp=_vjp)
