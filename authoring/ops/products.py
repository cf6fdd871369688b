"""Products of tensors: ``matmul``, ``dot``, ``tensordot``, ``outer``..., from the op set's MatMul and Mul."""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad import raw_ops
from webgrad.ops.core import as_float, cast, convert_to_tensor, is_int
from webgrad.ops.elementwise import multiply
from webgrad.ops.reductions import sum
from webgrad.ops.shapes import diagonal, expand_dims, reshape, squeeze, transpose


def matmul(x1: Any, x2: Any) -> Any:
    """The matrix product (batched over leading axes, 1-D operands as vectors), as ``keras.ops.matmul``.

    >>> matmul(np.ones((2, 3)), np.ones(3)).numpy()
    array([3., 3.], dtype=float32)
    """
    a, b = convert_to_tensor(x1), convert_to_tensor(x2)
    both_int = is_int(a) and is_int(b)
    a, b = as_float(a), as_float(b)
    a_vec, b_vec = len(a.shape) == 1, len(b.shape) == 1
    out = raw_ops.MatMul(expand_dims(a, 0) if a_vec else a, expand_dims(b, -1) if b_vec else b)
    if a_vec:
        out = squeeze(out, -2)
    if b_vec:
        out = squeeze(out, -1)
    return cast(out, "int32") if both_int else out


def dot(x1: Any, x2: Any) -> Any:
    """numpy's ``dot``, as ``keras.ops.dot``: the inner product of vectors, a matrix product, or a
    product over the last axis of ``x1`` and the first of a 1-D or 2-D ``x2``.

    >>> dot(np.array([1.0, 2.0]), np.array([3.0, 4.0])).numpy()
    array(11., dtype=float32)
    """
    a, b = convert_to_tensor(x1), convert_to_tensor(x2)
    if len(a.shape) == 0 or len(b.shape) == 0:
        return multiply(a, b)
    if len(a.shape) == 1 and len(b.shape) == 1:
        return sum(multiply(a, b))
    if len(b.shape) > 2:
        raise NotImplementedError("wg.ops.dot with a rank > 2 second operand is not supported yet (use matmul)")
    return matmul(a, b)


def outer(x1: Any, x2: Any) -> Any:
    """The outer product of ``x1`` and ``x2`` flattened, as ``keras.ops.outer``.

    >>> outer(np.array([1.0, 2.0]), np.array([1.0, 10.0])).numpy()
    array([[ 1., 10.],
           [ 2., 20.]], dtype=float32)
    """
    return multiply(reshape(x1, [-1, 1]), reshape(x2, [1, -1]))


def vdot(x1: Any, x2: Any) -> Any:
    """The inner product of ``x1`` and ``x2`` flattened, as ``keras.ops.vdot``.

    >>> vdot(np.ones((2, 2)), np.ones((2, 2))).numpy()
    array(4., dtype=float32)
    """
    return sum(multiply(reshape(x1, [-1]), reshape(x2, [-1])))


def inner(x1: Any, x2: Any) -> Any:
    """The products summed over the last axis of both, as ``keras.ops.inner``.

    >>> inner(np.ones((2, 3)), np.ones((4, 3))).shape
    (2, 4)
    """
    return tensordot(x1, x2, axes=([-1], [-1]))


def tensordot(x1: Any, x2: Any, axes: int | Any = 2) -> Any:
    """The products summed over ``axes`` (the last ``axes`` of ``x1`` with the first of ``x2``, or two
    lists of axes), as ``keras.ops.tensordot``: one MatMul of the two reshaped operands.

    >>> tensordot(np.ones((2, 3, 4)), np.ones((3, 4, 5))).shape
    (2, 5)
    """
    a, b = convert_to_tensor(x1), convert_to_tensor(x2)
    ra, rb = len(a.shape), len(b.shape)
    if isinstance(axes, int | np.integer):
        ax_a, ax_b = list(range(ra - int(axes), ra)), list(range(int(axes)))
    else:
        ax_a, ax_b = ([int(axes[0])], [int(axes[1])]) if isinstance(axes[0], int | np.integer) else (
            [int(i) for i in axes[0]], [int(i) for i in axes[1]])
    ax_a, ax_b = [i % ra for i in ax_a], [i % rb for i in ax_b]
    free_a = [i for i in range(ra) if i not in ax_a]
    free_b = [i for i in range(rb) if i not in ax_b]
    sizes = [a.shape[i] for i in ax_a]
    if None in sizes or None in [b.shape[i] for i in free_b]:
        raise ValueError(f"wg.ops.tensordot: the summed axes of {tuple(a.shape)} and the kept axes of "
                         f"{tuple(b.shape)} must have known sizes")
    k = int(np.prod(sizes, dtype=np.int64))
    lhs = reshape(transpose(a, free_a + ax_a), [-1, k])
    rhs = reshape(transpose(b, ax_b + free_b), [k, -1])
    out = matmul(lhs, rhs)
    return reshape(out, [-1 if a.shape[i] is None else a.shape[i] for i in free_a] + [b.shape[i] for i in free_b])


def _diag_matrix(v: Any, k: int) -> Any:
    """The square matrix with vector ``v`` on diagonal ``k``: ``A @ diag(v) @ B`` for 0/1 matrices
    ``A`` and ``B`` that place entry ``i`` at row ``i - min(k, 0)`` and column ``i + max(k, 0)``."""
    n = v.shape[0]
    if n is None:
        raise ValueError("wg.ops.diag: the vector's length must be known")
    size = n + abs(k)
    place_rows = np.zeros((size, n), np.float32)
    place_cols = np.zeros((n, size), np.float32)
    idx = np.arange(n)
    place_rows[idx + max(-k, 0), idx] = 1
    place_cols[idx, idx + max(k, 0)] = 1
    return matmul(multiply(place_rows, reshape(v, [1, n])), place_cols)


def diag(x: Any, k: int = 0) -> Any:
    """The matrix with 1-D ``x`` on diagonal ``k``, or the diagonal ``k`` of 2-D ``x``, as ``keras.ops.diag``.

    >>> diag(np.array([1.0, 2.0])).numpy()
    array([[1., 0.],
           [0., 2.]], dtype=float32)
    """
    x = convert_to_tensor(x)
    if len(x.shape) == 2:
        return diagonal(x, k)
    if len(x.shape) != 1:
        raise ValueError(f"wg.ops.diag: x must be 1-D or 2-D, got shape {tuple(x.shape)}")
    out = _diag_matrix(as_float(x), int(k))
    return cast(out, "int32") if is_int(x) else out


def diagflat(x: Any, k: int = 0) -> Any:
    """The matrix with ``x`` flattened on diagonal ``k``, as ``keras.ops.diagflat``.

    >>> diagflat(np.array([[1, 2]])).numpy()
    array([[1, 0],
           [0, 2]], dtype=int32)
    """
    return diag(reshape(x, [-1]), k)
