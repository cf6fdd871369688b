"""MatMul: y = act(op(a) @ op(b) + bias), op transposing the last two axes when its flag is set."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._activation import activate, activation_grad
from webgrad.raw_ops._common import batched_only, column_sums, dims_agree, need_rank, need_vector
from webgrad.raw_ops.registry import (
    Array,
    Shape,
    ShapeError,
    broadcast_shapes,
    register,
    unbroadcast,
    unbroadcast_per_example,
)


def _shape(shapes: Sequence[Shape | None], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    a, b, bias = shapes
    assert a is not None and b is not None
    need_rank("MatMul", "a", a, 2, at_least=True)
    need_rank("MatMul", "b", b, 2, at_least=True)
    m, k = (a[-1], a[-2]) if attrs["transpose_a"] else (a[-2], a[-1])
    k2, n = (b[-1], b[-2]) if attrs["transpose_b"] else (b[-2], b[-1])
    if not dims_agree(k, k2):
        raise ShapeError(f"MatMul: a is {tuple(a)} but b is {tuple(b)}: inner dims {k} and {k2} differ")
    batch = broadcast_shapes("MatMul", tuple(a[:-2]), tuple(b[:-2]))
    need_vector("MatMul", "bias", bias, n, "the output columns")
    return (*batch, m, n), "float32"


def _t(x: Array, flag: bool) -> Array:
    return x.swapaxes(-1, -2) if flag else x


def _linear(a: Array, b: Array, bias: Array | None) -> Array:
    """a @ b + bias as a fresh array (a and b already transposed as asked)."""
    if b.ndim == 2 and a.ndim > 2 and a.flags.c_contiguous:
        # Fold the batch into the rows: one GEMM instead of one per batch element.
        y = (a.reshape(-1, a.shape[-1]) @ b).reshape(*a.shape[:-1], b.shape[1])
    else:
        y = np.matmul(a, b)
    if bias is not None:
        y += bias
    return y


def _forward(inputs: Sequence[Array | None], attrs: dict[str, Any]) -> Array:
    a, b, bias = inputs
    assert a is not None and b is not None
    _shape([a.shape, b.shape, None if bias is None else bias.shape], [], attrs)
    y = _linear(_t(a, attrs["transpose_a"]), _t(b, attrs["transpose_b"]), bias)
    return activate(y, attrs["activation"], attrs["alpha"], inplace=True)


def _vjp_per_example(
    g: Array, inputs: Sequence[Array | None], output: Array, attrs: dict[str, Any], per_example: Sequence[bool],
    needs: Sequence[bool] = (True, True, True),
) -> list[Array | None]:
    """Gradients; each flagged input gets one per example ``[B, *shape]``, B = the output's first dim."""
    a, b, bias = inputs
    assert a is not None and b is not None
    ta, tb = attrs["transpose_a"], attrs["transpose_b"]
    opa, opb = _t(a, ta), _t(b, tb)
    gz = activation_grad(g, output, attrs["activation"], attrs["alpha"], pre=lambda: _linear(opa, opb, bias))
    if not needs[0]:
        da = None
    elif per_example[0]:
        if gz.ndim < 3:
            raise batched_only("MatMul", "a")
        da = _t(unbroadcast_per_example(np.matmul(gz, opb.swapaxes(-1, -2)), opa.shape), ta)
    else:
        da = _t(unbroadcast(np.matmul(gz, opb.swapaxes(-1, -2)), opa.shape), ta)
    if not needs[1]:
        db = None
    else:
        db = _t(_grad_b_per_example(gz, opa, opb) if per_example[1] else _grad_b(gz, opa, opb), tb)
    dbias = None if bias is None or not needs[2] else column_sums(gz, per_example[2])
    return [da, db, dbias]


def _grad_b(gz: Array, opa: Array, opb: Array) -> Array:
    if opb.ndim == 2:
        k = opa.shape[-1]
        return np.broadcast_to(opa, (*gz.shape[:-1], k)).reshape(-1, k).T @ gz.reshape(-1, gz.shape[-1])
    return unbroadcast(np.matmul(opa.swapaxes(-1, -2), gz), opb.shape)


def _grad_b_per_example(gz: Array, opa: Array, opb: Array) -> Array:
    if opb.ndim > 2:
        return unbroadcast_per_example(np.matmul(opa.swapaxes(-1, -2), gz), opb.shape)
    if gz.ndim == 2:
        return np.einsum("bk,bn->bkn", opa, gz)  # the batch is the rows of a: one outer product each
    k, n, batch = opa.shape[-1], gz.shape[-1], gz.shape[0]
    rows = np.broadcast_to(opa, (*gz.shape[:-1], k)).reshape(batch, -1, k)
    return np.matmul(rows.swapaxes(1, 2), gz.reshape(batch, -1, n))


register("MatMul", forward=_forward, shape=_shape, vjp_per_example=_vjp_per_example)
