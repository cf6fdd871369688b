"""Small helpers shared by the op modules: axes, dims that may be unknown, output dtypes.

Shapes here may hold ``None`` for an unknown dim (e.g. the batch); every helper lets ``None`` through.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.exporter.opset import op_spec
from webgrad.raw_ops.registry import Array, Shape, ShapeError

Dim = int | None


def out_dtype(op: str, dtypes: Sequence[str | None], attrs: dict[str, Any]) -> str:
    """The output dtype the op set declares: a literal, ``same`` (first input) or ``attr:NAME``."""
    want = op_spec(op)["output"]["dtype"]
    if want == "same":
        first = next((d for d in dtypes if d is not None), None)
        return first or "float32"
    if want.startswith("attr:"):
        return attrs[want[5:]]
    return want


def norm_axis(op: str, axis: int, ndim: int, what: str = "axis") -> int:
    """``axis`` in ``[-ndim, ndim)`` made non-negative; ShapeError naming the op otherwise."""
    if not -ndim <= axis < ndim:
        raise ShapeError(f"{op}: {what} {axis} is out of range for a rank-{ndim} input")
    return axis % ndim


def norm_axes(op: str, axes: Sequence[int] | None, ndim: int) -> tuple[int, ...]:
    """Sorted non-negative axes; ``None`` means all axes. Duplicates are an error."""
    if axes is None:
        return tuple(range(ndim))
    out = sorted(norm_axis(op, a, ndim, "axes entry") for a in axes)
    if len(set(out)) != len(out):
        raise ShapeError(f"{op}: axes {list(axes)} name an axis twice")
    return tuple(out)


def dims_agree(a: Dim, b: Dim) -> bool:
    """Whether two dims can be equal (an unknown dim agrees with anything)."""
    return a is None or b is None or a == b


def prod(dims: Sequence[Dim]) -> Dim:
    """Product of dims; unknown if any dim is unknown."""
    out = 1
    for d in dims:
        if d is None:
            return None
        out *= d
    return out


def need_rank(op: str, name: str, shape: Shape, rank: int, at_least: bool = False) -> None:
    """ShapeError unless ``shape`` has rank ``rank`` (or at least ``rank``)."""
    ok = len(shape) >= rank if at_least else len(shape) == rank
    if not ok:
        more = "at least " if at_least else ""
        raise ShapeError(f"{op}: {name} must have rank {more}{rank}, got shape {tuple(shape)}")


def need_vector(op: str, name: str, shape: Shape | None, size: Dim, of: str) -> None:
    """ShapeError unless ``shape`` is ``[size]`` (``of`` says where size comes from)."""
    if shape is None:
        return
    if len(shape) != 1 or not dims_agree(shape[0], size):
        raise ShapeError(f"{op}: {name} must be [{size}] ({of}), got shape {tuple(shape)}")


def column_sums(g: Array, per_example: bool = False) -> Array:
    """Sums over every axis but the last (keeping the first too when ``per_example``): a bias gradient.

    A ones-vector GEMV instead of ``g.sum(axis=...)``: numpy reduces over leading axes row by row,
    several times slower than BLAS on large activations.
    """
    n = g.shape[-1]
    if per_example:
        rows = g.reshape(g.shape[0], -1, n)
        return np.matmul(np.ones((1, rows.shape[1]), dtype=g.dtype), rows)[:, 0]
    rows = g.reshape(-1, n)
    return np.ones(rows.shape[0], dtype=g.dtype) @ rows


def batched_only(op: str, name: str) -> ShapeError:
    """The error for asking per-example gradients of an input that carries the batch itself."""
    return ShapeError(f"{op}: per-example gradients are defined for weights shared across the batch, not for {name!r}")
