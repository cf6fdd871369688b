"""Tensors made from nothing (``ones``, ``arange``, ``eye``...) or shaped like another (``ones_like``).

A made tensor is a constant: inside a traced ``call`` it becomes a graph constant where an op reads
it. ``*_like`` of a symbolic tensor (unknown batch) is built from it with ops (``x * 0 + value``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.ops.core import TensorLike, _standard, as_float, cast, convert_to_tensor
from webgrad.tensor import SymbolicTensor, Tensor


def _const(value: np.ndarray, dtype: Any, default: str) -> Tensor:
    return Tensor(np.asarray(value, dtype=np.dtype(default if dtype is None else dtype)))


def _shape_arg(shape: Sequence[int] | int) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, int | np.integer) else tuple(int(s) for s in shape)


def zeros(shape: Sequence[int], dtype: Any = None) -> Tensor:
    """A tensor of zeros (float32 by default), as ``keras.ops.zeros``.

    >>> zeros((2,)).numpy()
    array([0., 0.], dtype=float32)
    """
    return _const(np.zeros(_shape_arg(shape)), dtype, "float32")


def ones(shape: Sequence[int], dtype: Any = None) -> Tensor:
    """A tensor of ones (float32 by default), as ``keras.ops.ones``.

    >>> ones((2,), dtype="int32").numpy()
    array([1, 1], dtype=int32)
    """
    return _const(np.ones(_shape_arg(shape)), dtype, "float32")


def full(shape: Sequence[int], fill_value: Any, dtype: Any = None) -> Tensor:
    """A tensor filled with ``fill_value`` (float32 by default), as ``keras.ops.full``.

    >>> full((2,), 7).numpy()
    array([7., 7.], dtype=float32)
    """
    return _const(np.full(_shape_arg(shape), np.asarray(convert_to_tensor(fill_value))), dtype, "float32")


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> Any:
    """A tensor shaped like ``x`` filled with ``fill_value`` (``x``'s dtype by default), as ``keras.ops.full_like``.

    >>> full_like(np.zeros((1, 2), np.int32), 3).numpy()
    array([[3, 3]], dtype=int32)
    """
    x = convert_to_tensor(x)
    to = str(np.dtype(x.dtype if dtype is None else dtype))
    if isinstance(x, SymbolicTensor):  # the shape is only known when the graph runs: build it from x
        return cast(as_float(x) * np.float32(0) + np.float32(fill_value), to)
    return _const(np.full(x.shape, fill_value), to, to)


def zeros_like(x: Any, dtype: Any = None) -> Any:
    """Zeros shaped like ``x``, as ``keras.ops.zeros_like``.

    >>> zeros_like(np.ones(2, np.float32)).numpy()
    array([0., 0.], dtype=float32)
    """
    return full_like(x, 0, dtype)


def ones_like(x: Any, dtype: Any = None) -> Any:
    """Ones shaped like ``x``, as ``keras.ops.ones_like``.

    >>> ones_like(np.zeros(2, np.float32)).numpy()
    array([1., 1.], dtype=float32)
    """
    return full_like(x, 1, dtype)


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:
    """A 2-D tensor with ones on diagonal ``k``, as ``keras.ops.eye``.

    >>> eye(2).numpy()
    array([[1., 0.],
           [0., 1.]], dtype=float32)
    """
    return _const(np.eye(int(N), None if M is None else int(M), int(k)), dtype, "float32")


def identity(n: int, dtype: Any = None) -> Tensor:
    """The ``n x n`` identity, as ``keras.ops.identity``.

    >>> identity(1).numpy()
    array([[1.]], dtype=float32)
    """
    return eye(n, dtype=dtype)


def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:
    """Ones at and below diagonal ``k``, as ``keras.ops.tri``.

    >>> tri(2).numpy()
    array([[1., 0.],
           [1., 1.]], dtype=float32)
    """
    return _const(np.tri(int(N), None if M is None else int(M), int(k)), dtype, "float32")


def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None) -> Tensor:
    """Evenly spaced values in ``[start, stop)``, as ``keras.ops.arange`` (int32 for integer arguments).

    >>> arange(3).numpy(), arange(0.0, 1.0, 0.5).numpy()
    (array([0, 1, 2], dtype=int32), array([0. , 0.5], dtype=float32))
    """
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    values = np.arange(start, stop, step)
    return Tensor(_standard(values) if dtype is None else values.astype(np.dtype(dtype)))


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, retstep: bool = False,
             dtype: Any = None, axis: int = 0) -> Any:
    """``num`` evenly spaced values from ``start`` to ``stop``, as ``keras.ops.linspace``.

    >>> linspace(0, 1, 3).numpy()
    array([0. , 0.5, 1. ], dtype=float32)
    """
    values, step = np.linspace(np.asarray(start), np.asarray(stop), int(num), endpoint=endpoint, retstep=True,
                               axis=axis)
    out = _const(values, dtype, "float32")
    return (out, Tensor(np.float32(step))) if retstep else out


def _tri_mask(x: TensorLike, k: int, lower: bool) -> np.ndarray:
    n, m = x.shape[-2], x.shape[-1]
    if n is None or m is None:
        raise ValueError(f"wg.ops.{'tril' if lower else 'triu'}: the last two dims of {tuple(x.shape)} must be known")
    mask = np.tri(n, m, k) if lower else 1 - np.tri(n, m, k - 1)
    return mask.astype(np.float32)


def tril(x: Any, k: int = 0) -> Any:
    """``x`` with the entries above diagonal ``k`` of its last two axes zeroed, as ``keras.ops.tril``.

    >>> tril(np.ones((2, 2), np.float32)).numpy()
    array([[1., 0.],
           [1., 1.]], dtype=float32)
    """
    x = convert_to_tensor(x)
    out = as_float(x) * _tri_mask(x, k, lower=True)
    return cast(out, x.dtype) if x.dtype != "float32" else out


def triu(x: Any, k: int = 0) -> Any:
    """``x`` with the entries below diagonal ``k`` of its last two axes zeroed, as ``keras.ops.triu``.

    >>> triu(np.ones((2, 2), np.float32)).numpy()
    array([[1., 1.],
           [0., 1.]], dtype=float32)
    """
    x = convert_to_tensor(x)
    out = as_float(x) * _tri_mask(x, k, lower=False)
    return cast(out, x.dtype) if x.dtype != "float32" else out


def empty(shape: Sequence[int], dtype: Any = None) -> Tensor:
    """A tensor of ``shape`` (zeros here), as ``keras.ops.empty``.

    >>> empty((2,)).shape
    (2,)
    """
    return zeros(shape, dtype)


def empty_like(x: Any, dtype: Any = None) -> Any:
    """A tensor shaped like ``x`` (zeros here), as ``keras.ops.empty_like``.

    >>> empty_like(np.ones(3, np.float32)).shape
    (3,)
    """
    return zeros_like(x, dtype)
