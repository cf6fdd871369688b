"""Transpose: y.shape[i] = x.shape[perm[i]]."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._common import out_dtype
from webgrad.raw_ops.registry import Array, Shape, ShapeError, register


def _perm(x: Shape, perm: Sequence[int]) -> list[int]:
    if sorted(perm) != list(range(len(x))):
        raise ShapeError(f"Transpose: perm {list(perm)} is not a permutation of the {len(x)} axes of {tuple(x)}")
    return list(perm)


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    x = tuple(shapes[0])
    return tuple(x[p] for p in _perm(x, attrs["perm"])), out_dtype("Transpose", dtypes, attrs)


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    x = inputs[0]
    return np.transpose(x, _perm(x.shape, attrs["perm"]))


def _vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array]:
    return [np.transpose(g, np.argsort(attrs["perm"]))]


register("Transpose", forward=_forward, shape=_shape, vjp=_vjp)
