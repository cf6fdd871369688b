"""Products of tensors: ``matmul``, ``dot``, ``outer``, from the op set's MatMul and Mul."""

from __future__ import annotations

from typing import Any

from webgrad import raw_ops
from webgrad.ops.core import as_float, cast, convert_to_tensor, is_int
from webgrad.ops.elementwise import multiply
from webgrad.ops.reductions import sum
from webgrad.ops.shapes import expand_dims, reshape, squeeze


def matmul(x1: Any, x2: Any) -> Any:
    """The matrix product (batched over leading axes, 1-D operands as vectors), as ``keras.ops.matmul``.

    >>> import numpy as np
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

    >>> import numpy as np
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

    >>> import numpy as np
    >>> outer(np.array([1.0, 2.0]), np.array([1.0, 10.0])).numpy()
    array([[ 1., 10.],
           [ 2., 20.]], dtype=float32)
    """
    return multiply(reshape(x1, [-1, 1]), reshape(x2, [1, -1]))
