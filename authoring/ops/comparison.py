"""Comparisons and logic (``equal``, ``greater``, ``logical_and``...) as float32 masks.

The op set has no bool dtype, so where ``keras.ops`` returns a bool tensor these return a float32
mask: 1.0 where true, 0.0 where false (the op set's ``Greater``, ``Equal``... ops), which exports and
runs on every backend. The values are Keras's; compare them with ``convert_to_numpy(m) != 0`` or
``cast(m, "bool")``. ``where``, ``logical_and``/``or``/``not``/``xor``, ``multiply`` and ``sum`` take
masks as they are (a mask of ones and zeros), and bool arrays as Keras does. NaN compares false except
in ``not_equal`` (IEEE-754); ``logical_*`` treat any non-zero (NaN too) as true, as ``bool(x)`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from webgrad import raw_ops
from webgrad.ops.core import as_float, cast, convert_to_tensor, is_int, operand


def _tensor(x: Any, dtype: str) -> Any:
    """``x`` (tensor or Python number) as a tensor of ``dtype`` (float32 or int32)."""
    if isinstance(x, bool | int | float):
        return np.asarray(x, dtype)
    return cast(x, dtype)


def _compare(op: Callable[..., Any], x1: Any, x2: Any) -> Any:
    # Integers compare as int32 (exact over the whole range); anything with a float as float32.
    a, b = operand(x1), operand(x2)
    if is_int(a) and is_int(b):
        return op(_tensor(a, "int32"), _tensor(b, "int32"))
    return op(_tensor(as_float(a), "float32"), _tensor(as_float(b), "float32"))


def equal(x1: Any, x2: Any) -> Any:
    """``x1 == x2`` as a float32 mask (Keras: bool), as ``keras.ops.equal``.

    >>> equal(np.array([1, 2, 3]), 2).numpy()
    array([0., 1., 0.], dtype=float32)
    """
    return _compare(raw_ops.Equal, x1, x2)


def not_equal(x1: Any, x2: Any) -> Any:
    """``x1 != x2`` as a float32 mask (Keras: bool; NaN != anything), as ``keras.ops.not_equal``.

    >>> not_equal(np.array([1.0, np.nan]), 1.0).numpy()
    array([0., 1.], dtype=float32)
    """
    return _compare(raw_ops.NotEqual, x1, x2)


def greater(x1: Any, x2: Any) -> Any:
    """``x1 > x2`` as a float32 mask (Keras: bool), as ``keras.ops.greater``.

    >>> greater(np.array([1, 2]), 1.5).numpy()
    array([0., 1.], dtype=float32)
    """
    return _compare(raw_ops.Greater, x1, x2)


def greater_equal(x1: Any, x2: Any) -> Any:
    """``x1 >= x2`` as a float32 mask (Keras: bool), as ``keras.ops.greater_equal``.

    >>> greater_equal(np.array([1.0, 2.0]), 2.0).numpy()
    array([0., 1.], dtype=float32)
    """
    return _compare(raw_ops.GreaterEqual, x1, x2)


def less(x1: Any, x2: Any) -> Any:
    """``x1 < x2`` as a float32 mask (Keras: bool), as ``keras.ops.less``.

    >>> less(np.array([1.0, 2.0]), 2.0).numpy()
    array([1., 0.], dtype=float32)
    """
    return _compare(raw_ops.Less, x1, x2)


def less_equal(x1: Any, x2: Any) -> Any:
    """``x1 <= x2`` as a float32 mask (Keras: bool), as ``keras.ops.less_equal``.

    >>> less_equal(np.array([1, 3]), 2).numpy()
    array([1., 0.], dtype=float32)
    """
    return _compare(raw_ops.LessEqual, x1, x2)


def truth(x: Any) -> Any:
    """``x != 0`` as a float32 mask: how a condition (a bool array, a mask, any number) is read."""
    x = convert_to_tensor(x)
    if str(x.dtype) == "bool":
        return cast(x, "float32")
    return not_equal(x, 0)


def logical_and(x1: Any, x2: Any) -> Any:
    """``x1 and x2`` (non-zero is true) as a float32 mask (Keras: bool), as ``keras.ops.logical_and``.

    >>> logical_and(np.array([1.0, 0.0, 2.0]), np.array([True, True, False])).numpy()
    array([1., 0., 0.], dtype=float32)
    """
    return raw_ops.Mul(truth(x1), truth(x2))


def logical_or(x1: Any, x2: Any) -> Any:
    """``x1 or x2`` (non-zero is true) as a float32 mask (Keras: bool), as ``keras.ops.logical_or``.

    >>> logical_or(np.array([1.0, 0.0]), np.array([0, 0])).numpy()
    array([1., 0.], dtype=float32)
    """
    return raw_ops.Maximum(truth(x1), truth(x2))


def logical_xor(x1: Any, x2: Any) -> Any:
    """``x1 xor x2`` (non-zero is true) as a float32 mask (Keras: bool), as ``keras.ops.logical_xor``.

    >>> logical_xor(np.array([1.0, 1.0]), np.array([1.0, 0.0])).numpy()
    array([0., 1.], dtype=float32)
    """
    return raw_ops.NotEqual(truth(x1), truth(x2))


def logical_not(x: Any) -> Any:
    """``not x`` (non-zero is true) as a float32 mask (Keras: bool), as ``keras.ops.logical_not``.

    >>> logical_not(np.array([0.0, 3.0])).numpy()
    array([1., 0.], dtype=float32)
    """
    return raw_ops.Equal(truth(x), np.float32(0))
