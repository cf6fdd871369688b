"""Gather: y = take(data, indices, axis); negative indices count from the end."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from webgrad.raw_ops._common import batched_only, norm_axis, out_dtype
from webgrad.raw_ops.registry import Array, Shape, register


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    data, indices = tuple(shapes[0]), tuple(shapes[1])
    axis = norm_axis("Gather", attrs["axis"], len(data))
    return (*data[:axis], *indices, *data[axis + 1 :]), out_dtype("Gather", dtypes, attrs)


def _checked(data: Array, indices: Array, axis: int) -> Array:
    """``indices`` made non-negative; IndexError naming the op for any outside ``[-n, n)``."""
    n = data.shape[axis]
    bad = (indices < -n) | (indices >= n)
    if bad.any():
        raise IndexError(
            f"Gather: index {int(indices[bad].flat[0])} is out of range for axis {axis} of size {n} "
            f"(data shape {data.shape}); indices must be in [-{n}, {n})"
        )
    return np.where(indices < 0, indices + n, indices)


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    data, indices = inputs
    axis = norm_axis("Gather", attrs["axis"], data.ndim)
    return np.take(data, _checked(data, indices, axis), axis=axis)


def _vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array | None]:
    return _vjp_per_example(g, inputs, output, attrs, (False, False))


def _vjp_per_example(
    g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any], per_example: Sequence[bool]
) -> list[Array | None]:
    """Scatter-adds g into data's rows; per example (embedding tables) ``[B, *data.shape]``."""
    data, indices = inputs
    axis = norm_axis("Gather", attrs["axis"], data.ndim)
    idx = _checked(data, indices, axis)
    n, rest = data.shape[axis], (*data.shape[:axis], *data.shape[axis + 1 :])
    # g with the index dims moved first and flattened: one row of cotangent per index.
    rows = np.moveaxis(g.reshape(*data.shape[:axis], idx.size, *data.shape[axis + 1 :]), axis, 0)
    if not per_example[0]:
        dx = _scatter_rows(idx.ravel(), rows.reshape(idx.size, -1), n).reshape(n, *rest)
        return [np.moveaxis(dx, 0, axis), None]
    if axis != 0 or idx.ndim == 0:
        raise batched_only("Gather", "data (its axis 0 is the batch here)")
    batch = idx.shape[0]
    # Example b's rows land in block b of a [B * n] table.
    target = (np.arange(batch)[:, None] * n + idx.reshape(batch, -1)).ravel()
    dx = _scatter_rows(target, rows.reshape(idx.size, -1), batch * n)
    return [dx.reshape(batch, *data.shape), None]


def _scatter_rows(index: Array, values: Array, n: int) -> Array:
    """``out[index[k]] += values[k]`` for an ``[n, m]`` out, as a sparse one-hot product: several
    times faster than ``np.add.at`` and exact in the same way (each row a plain sum)."""
    k = index.shape[0]
    onehot = sp.csr_matrix((np.ones(k, dtype=values.dtype), (index, np.arange(k))), shape=(n, k))
    return np.asarray(onehot @ values)


register("Gather", forward=_forward, shape=_shape, vjp=_vjp, vjp_per_example=_vjp_per_example)
