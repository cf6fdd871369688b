"""Reductions (``sum``, ``mean``, ``max``, ``argmax``, ``var``, ``logsumexp``...) and running sums.

``axis`` is None (every axis), an int or a sequence, as in Keras. Sums, maxima and minima of integer
tensors stay int32; means and variances are float32.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad import raw_ops
from webgrad.ops.core import as_float, axes_list, cast, convert_to_tensor, is_int
from webgrad.ops.elementwise import log, maximum, minimum, multiply, sqrt, subtract
from webgrad.ops.shapes import diagonal, moveaxis, ravel, reshape

Axis = int | Sequence[int] | None


def _reduce(op: Any, x: Any, axis: Axis, keepdims: bool, keep_int: bool) -> Any:
    x = convert_to_tensor(x)
    out = op(as_float(x), axes=axes_list(axis), keepdims=keepdims)
    return cast(out, "int32") if keep_int and is_int(x) else out


def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """The sum over ``axis``, as ``keras.ops.sum``.

    >>> sum(np.array([[1, 2], [3, 4]]), axis=0).numpy()
    array([4, 6], dtype=int32)
    """
    return _reduce(raw_ops.ReduceSum, x, axis, keepdims, keep_int=True)


def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """The mean over ``axis``, as ``keras.ops.mean``.

    >>> mean(np.array([1, 2])).numpy()
    array(1.5, dtype=float32)
    """
    return _reduce(raw_ops.ReduceMean, x, axis, keepdims, keep_int=False)


def max(x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None) -> Any:
    """The maximum over ``axis`` (at least ``initial`` when given), as ``keras.ops.max``.

    >>> max(np.array([[1.0, 5.0], [3.0, 2.0]]), axis=1).numpy()
    array([5., 3.], dtype=float32)
    """
    out = _reduce(raw_ops.ReduceMax, x, axis, keepdims, keep_int=True)
    return out if initial is None else maximum(out, initial)


def min(x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None) -> Any:
    """The minimum over ``axis`` (at most ``initial`` when given), as ``keras.ops.min``.

    >>> min(np.array([[1.0, 5.0], [3.0, 2.0]]), axis=1).numpy()
    array([1., 2.], dtype=float32)
    """
    x = convert_to_tensor(x)
    out = 0.0 - raw_ops.ReduceMax(0.0 - as_float(x), axes=axes_list(axis), keepdims=keepdims)
    out = cast(out, "int32") if is_int(x) else out
    return out if initial is None else minimum(out, initial)


def amax(x: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """The maximum over ``axis``, as ``keras.ops.amax``.

    >>> amax(np.array([1, 3])).numpy()
    array(3, dtype=int32)
    """
    return max(x, axis, keepdims)


def amin(x: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """The minimum over ``axis``, as ``keras.ops.amin``.

    >>> amin(np.array([1, 3])).numpy()
    array(1, dtype=int32)
    """
    return min(x, axis, keepdims)


def _arg(x: Any, axis: int | None, keepdims: bool, negate: bool) -> Any:
    x = as_float(convert_to_tensor(x))
    rank = len(x.shape)
    if negate:
        x = 0.0 - x
    if axis is None:
        out = raw_ops.ArgMax(ravel(x), axis=0)
        return reshape(out, [1] * rank) if keepdims else out
    return raw_ops.ArgMax(x, axis=int(axis), keepdims=keepdims)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Any:
    """The index of the largest entry along ``axis`` (of ``x`` flattened when None; the first on a tie),
    as ``keras.ops.argmax``.

    >>> argmax(np.array([[1.0, 5.0], [3.0, 2.0]]), axis=1).numpy()
    array([1, 0], dtype=int32)
    """
    return _arg(x, axis, keepdims, negate=False)


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Any:
    """The index of the smallest entry along ``axis``, as ``keras.ops.argmin``.

    >>> argmin(np.array([[1.0, 5.0], [3.0, 2.0]]), axis=1).numpy()
    array([0, 1], dtype=int32)
    """
    return _arg(x, axis, keepdims, negate=True)


def var(x: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """The variance over ``axis`` (population, divided by n), as ``keras.ops.var``.

    >>> var(np.array([1.0, 3.0])).numpy()
    array(1., dtype=float32)
    """
    x = as_float(convert_to_tensor(x))
    centered = subtract(x, mean(x, axis, keepdims=True))
    return mean(multiply(centered, centered), axis, keepdims)


def std(x: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """The standard deviation over ``axis``, as ``keras.ops.std``.

    >>> std(np.array([1.0, 3.0])).numpy()
    array(1., dtype=float32)
    """
    return sqrt(var(x, axis, keepdims))


def moments(x: Any, axes: Axis, keepdims: bool = False, synchronized: bool = False) -> tuple[Any, Any]:
    """The mean and variance over ``axes``, as ``keras.ops.moments``.

    >>> [t.numpy() for t in moments(np.array([1.0, 3.0]), axes=[0])]
    [array(2., dtype=float32), array(1., dtype=float32)]
    """
    return mean(x, axes, keepdims), var(x, axes, keepdims)


def logsumexp(x: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """``log(sum(exp(x)))`` over ``axis``, computed stably (the maximum taken out), as ``keras.ops.logsumexp``.

    >>> logsumexp(np.array([1000.0, 1000.0])).numpy()
    array(1000.6932, dtype=float32)
    """
    x = as_float(convert_to_tensor(x))
    axes = axes_list(axis)
    top = raw_ops.ReduceMax(x, axes=axes, keepdims=True)
    total = raw_ops.ReduceSum(raw_ops.Exp(x - top), axes=axes, keepdims=keepdims)
    top = top if keepdims else raw_ops.ReduceMax(top, axes=axes, keepdims=False)  # the kept axes dropped
    return log(total) + top


def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> Any:
    """Running sums along ``axis`` (of ``x`` flattened when None), as ``keras.ops.cumsum``: a MatMul with
    an upper-triangular matrix of ones, so the summed axis must have a known size.

    >>> cumsum(np.array([1, 2, 3])).numpy()
    array([1, 3, 6], dtype=int32)
    """
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = ravel(x), 0
    moved = moveaxis(as_float(x), axis, -1)
    n = moved.shape[-1]
    if n is None:
        raise ValueError(f"wg.ops.cumsum: axis {axis} of {tuple(x.shape)} must have a known size")
    summed = raw_ops.MatMul(moved if len(moved.shape) > 1 else reshape(moved, [1, n]),
                            np.triu(np.ones((n, n), np.float32)))
    summed = summed if len(moved.shape) > 1 else reshape(summed, [n])
    out = moveaxis(summed, -1, axis)
    want = dtype if dtype is not None else ("int32" if is_int(x) else "float32")
    return cast(out, want)


def average(x: Any, axis: int | None = None, weights: Any = None) -> Any:
    """The mean over ``axis``, weighted by ``weights`` (1-D along ``axis``, or ``x``'s shape), as
    ``keras.ops.average``.

    >>> average(np.array([1.0, 3.0]), weights=np.array([3.0, 1.0])).numpy()
    array(1.5, dtype=float32)
    """
    if weights is None:
        return mean(x, axis)
    x, w = as_float(convert_to_tensor(x)), as_float(convert_to_tensor(weights))
    if axis is not None and len(w.shape) == 1 and len(x.shape) > 1:
        w = reshape(w, [-1] + [1] * (len(x.shape) - 1 - axis % len(x.shape)))
    return sum(multiply(x, w), axis) / sum(multiply(w, as_float(x) * np.float32(0) + np.float32(1)), axis)


def ptp(x: Any, axis: Axis = None, keepdims: bool = False) -> Any:
    """The range (maximum - minimum) over ``axis``, as ``keras.ops.ptp``.

    >>> ptp(np.array([[1.0, 5.0], [3.0, 2.0]]), axis=1).numpy()
    array([4., 1.], dtype=float32)
    """
    return subtract(max(x, axis, keepdims), min(x, axis, keepdims))


def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """The sum of diagonal ``offset`` of the ``(axis1, axis2)`` planes, as ``keras.ops.trace``.

    >>> trace(np.arange(4).reshape(2, 2)).numpy()
    array(3, dtype=int32)
    """
    return sum(diagonal(x, offset, axis1, axis2), axis=-1)
