"""Element-wise math (``add``, ``square``, ``power``, ``clip``, ``where``...) from the op set's arithmetic.

Two integer operands give an int32 result (computed in float32, exact below 2**24); anything with a
float gives float32; a Python number adopts the other operand's dtype, as in Keras.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from webgrad import raw_ops
from webgrad.ops.comparison import truth
from webgrad.ops.core import as_float, cast, convert_to_tensor, float_op, is_int, operand
from webgrad.ops.creation import ones_like


def add(x1: Any, x2: Any) -> Any:
    """``x1 + x2``, as ``keras.ops.add``.

    >>> add(np.array([1, 2]), 1).numpy()
    array([2, 3], dtype=int32)
    """
    return float_op(raw_ops.Add, x1, x2, keep_int=True)


def subtract(x1: Any, x2: Any) -> Any:
    """``x1 - x2``, as ``keras.ops.subtract``.

    >>> subtract(np.array([1.0]), 3).numpy()
    array([-2.], dtype=float32)
    """
    return float_op(raw_ops.Sub, x1, x2, keep_int=True)


def multiply(x1: Any, x2: Any) -> Any:
    """``x1 * x2``, as ``keras.ops.multiply``.

    >>> multiply(np.array([2.0]), 3).numpy()
    array([6.], dtype=float32)
    """
    return float_op(raw_ops.Mul, x1, x2, keep_int=True)


def divide(x1: Any, x2: Any) -> Any:
    """``x1 / x2`` (always a float), as ``keras.ops.divide``.

    >>> divide(np.array([1, 2]), 2).numpy()
    array([0.5, 1. ], dtype=float32)
    """
    return float_op(raw_ops.Div, x1, x2)


def true_divide(x1: Any, x2: Any) -> Any:
    """``x1 / x2``, as ``keras.ops.true_divide``.

    >>> true_divide(np.array([3.0]), 2).numpy()
    array([1.5], dtype=float32)
    """
    return divide(x1, x2)


def maximum(x1: Any, x2: Any) -> Any:
    """The larger of ``x1`` and ``x2``, element-wise, as ``keras.ops.maximum``.

    >>> maximum(np.array([1.0, 5.0]), 2).numpy()
    array([2., 5.], dtype=float32)
    """
    return float_op(raw_ops.Maximum, x1, x2, keep_int=True)


def minimum(x1: Any, x2: Any) -> Any:
    """The smaller of ``x1`` and ``x2``, element-wise, as ``keras.ops.minimum``.

    >>> minimum(np.array([1.0, 5.0]), 2).numpy()
    array([1., 2.], dtype=float32)
    """
    return float_op(raw_ops.Minimum, x1, x2, keep_int=True)


def negative(x: Any) -> Any:
    """``-x``, as ``keras.ops.negative``.

    >>> negative(np.array([1, -2])).numpy()
    array([-1,  2], dtype=int32)
    """
    return subtract(0, x)


def reciprocal(x: Any) -> Any:
    """``1 / x``, as ``keras.ops.reciprocal``.

    >>> reciprocal(np.array([4.0])).numpy()
    array([0.25], dtype=float32)
    """
    return divide(1.0, x)


def square(x: Any) -> Any:
    """``x * x``, as ``keras.ops.square``.

    >>> square(np.array([-3])).numpy()
    array([9], dtype=int32)
    """
    x = convert_to_tensor(x)
    return multiply(x, x)


def abs(x: Any) -> Any:
    """``|x|`` (the op set's ``Abs``; int32 stays int32), as ``keras.ops.abs``.

    >>> abs(np.array([-2.0, 3.0])).numpy()
    array([2., 3.], dtype=float32)
    """
    x = convert_to_tensor(x)
    if x.dtype in ("float32", "int32"):
        return raw_ops.Abs(x)
    return float_op(raw_ops.Abs, x, keep_int=True)


def absolute(x: Any) -> Any:
    """``|x|``, as ``keras.ops.absolute``.

    >>> absolute(np.array([-1])).numpy()
    array([1], dtype=int32)
    """
    return abs(x)


def _unary(op: Any, x: Any) -> Any:
    return op(as_float(convert_to_tensor(x)))


def sqrt(x: Any) -> Any:
    """The square root, as ``keras.ops.sqrt``.

    >>> sqrt(np.array([4])).numpy()
    array([2.], dtype=float32)
    """
    return _unary(raw_ops.Sqrt, x)


def rsqrt(x: Any) -> Any:
    """``1 / sqrt(x)``, as ``keras.ops.rsqrt``.

    >>> rsqrt(np.array([4.0])).numpy()
    array([0.5], dtype=float32)
    """
    return reciprocal(sqrt(x))


def exp(x: Any) -> Any:
    """``e ** x``, as ``keras.ops.exp``.

    >>> exp(np.array([0.0])).numpy()
    array([1.], dtype=float32)
    """
    return _unary(raw_ops.Exp, x)


def log(x: Any) -> Any:
    """The natural logarithm, as ``keras.ops.log``.

    >>> log(np.array([1.0])).numpy()
    array([0.], dtype=float32)
    """
    return _unary(raw_ops.Log, x)


def log2(x: Any) -> Any:
    """The base-2 logarithm, as ``keras.ops.log2``.

    >>> log2(np.array([8.0])).numpy()
    array([3.], dtype=float32)
    """
    return log(x) * np.float32(1 / math.log(2))


def log10(x: Any) -> Any:
    """The base-10 logarithm, as ``keras.ops.log10``.

    >>> log10(np.array([100.0])).numpy()
    array([2.], dtype=float32)
    """
    return log(x) * np.float32(1 / math.log(10))


def _int_power(x: Any, n: int) -> Any:
    """``x ** n`` for an integer ``n >= 1`` by repeated squaring (exact, and any sign of ``x``)."""
    result, base = None, x
    while n:
        if n & 1:
            result = base if result is None else multiply(result, base)
        n >>= 1
        if n:
            base = multiply(base, base)
    return result


def power(x1: Any, x2: Any) -> Any:
    """``x1 ** x2``, as ``keras.ops.power``. An integer exponent (a Python number) is repeated
    multiplication, ``0.5`` a square root; any other exponent is ``exp(x2 * log(x1))``, defined for a
    positive base only.

    >>> power(np.array([-2.0, 3.0]), 3).numpy(), power(np.array([4.0]), -0.5).numpy()
    (array([-8., 27.], dtype=float32), array([0.5], dtype=float32))
    """
    x1 = operand(x1)
    if isinstance(x2, int | float | np.number) and not isinstance(x1, int | float):
        p = float(x2)
        if p == 0:
            return ones_like(x1)
        if p.is_integer():
            out = _int_power(x1, int(math.fabs(p)))
            return reciprocal(out) if p < 0 else out
        if math.fabs(p) == 0.5:
            return rsqrt(x1) if p < 0 else sqrt(x1)
    x2 = operand(x2)
    out = exp(multiply(as_float(x2), log(x1)))
    return cast(out, "int32") if is_int(x1) and is_int(x2) else out


def clip(x: Any, x_min: Any, x_max: Any) -> Any:
    """``x`` limited to ``[x_min, x_max]``, as ``keras.ops.clip``.

    >>> clip(np.array([-5.0, 0.5, 5.0]), 0, 1).numpy()
    array([0. , 0.5, 1. ], dtype=float32)
    """
    return minimum(maximum(x, x_min), x_max)


def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """``x1`` where ``condition`` is true (non-zero), else ``x2``, as ``keras.ops.where``: the op set's
    exact ``Where`` (a select: an Inf or NaN in the branch not taken never reaches the output). The
    condition may be a bool array or a float32 mask (``greater``, ``equal``... return those).

    >>> where(np.array([True, False]), np.array([1.0, 2.0]), -np.inf).numpy()
    array([  1., -inf], dtype=float32)
    >>> where(np.array([0.0, 1.0]), np.array([np.inf, 5.0]), 0.0).numpy()  # a mask as condition
    array([0., 5.], dtype=float32)
    """
    if x1 is None or x2 is None:
        raise NotImplementedError("wg.ops.where with only a condition (the indices of true entries) is not "
                                  "supported yet: its output shape depends on the values")
    a, b = operand(x1), operand(x2)
    branches = [np.asarray(v, np.float32) if isinstance(v, bool | int | float) else as_float(v) for v in (a, b)]
    out = raw_ops.Where(truth(condition), *branches)
    return cast(out, "int32") if is_int(a) and is_int(b) else out


def logaddexp(x1: Any, x2: Any) -> Any:
    """``log(exp(x1) + exp(x2))``, computed stably, as ``keras.ops.logaddexp``.

    >>> logaddexp(np.array([1000.0]), np.array([1000.0])).numpy()
    array([1000.6932], dtype=float32)
    """
    a, b = as_float(convert_to_tensor(x1)), as_float(convert_to_tensor(x2))
    return add(maximum(a, b), log(1.0 + exp(0.0 - abs(subtract(a, b)))))


def hypot(x1: Any, x2: Any) -> Any:
    """``sqrt(x1**2 + x2**2)``, as ``keras.ops.hypot``.

    >>> hypot(np.array([3.0]), np.array([4.0])).numpy()
    array([5.], dtype=float32)
    """
    a, b = as_float(convert_to_tensor(x1)), as_float(convert_to_tensor(x2))
    return sqrt(add(multiply(a, a), multiply(b, b)))


def deg2rad(x: Any) -> Any:
    """Degrees to radians, as ``keras.ops.deg2rad``.

    >>> deg2rad(np.array([180.0])).numpy()
    array([3.1415927], dtype=float32)
    """
    return multiply(as_float(convert_to_tensor(x)), np.float32(math.pi / 180))


def rad2deg(x: Any) -> Any:
    """Radians to degrees, as ``keras.ops.rad2deg``.

    >>> rad2deg(np.array([np.pi])).numpy()
    array([180.], dtype=float32)
    """
    return multiply(as_float(convert_to_tensor(x)), np.float32(180 / math.pi))


def trunc(x: Any) -> Any:
    """``x`` rounded toward zero (through an int32 Cast, so ``|x| < 2**31``), as ``keras.ops.trunc``.

    >>> trunc(np.array([-1.7, 2.5])).numpy()
    array([-1.,  2.], dtype=float32)
    """
    x = convert_to_tensor(x)
    return x if is_int(x) else cast(cast(x, "int32"), x.dtype)


def sign(x: Any) -> Any:
    """-1, 0 or 1 by the sign of ``x`` (the op set's ``Sign``; int32 stays int32), as ``keras.ops.sign``.

    >>> sign(np.array([-2.5, 0.0, 3.0])).numpy()
    array([-1.,  0.,  1.], dtype=float32)
    """
    x = convert_to_tensor(x)
    if x.dtype in ("float32", "int32"):
        return raw_ops.Sign(x)
    return float_op(raw_ops.Sign, x, keep_int=True)


def floor(x: Any) -> Any:
    """The largest whole number ``<= x`` (the op set's ``Floor``; a float32 result, as Keras's), as
    ``keras.ops.floor``.

    >>> floor(np.array([-1.5, 2.5])).numpy()
    array([-2.,  2.], dtype=float32)
    """
    return raw_ops.Floor(as_float(convert_to_tensor(x)))


def ceil(x: Any) -> Any:
    """The smallest whole number ``>= x`` (``-floor(-x)``), as ``keras.ops.ceil``.

    >>> ceil(np.array([-1.5, 2.5])).numpy()
    array([-1.,  3.], dtype=float32)
    """
    return negative(floor(negative(as_float(convert_to_tensor(x)))))


def log1p(x: Any) -> Any:
    """``log(1 + x)``, as ``keras.ops.log1p`` (computed as written: below ~1e-7 the result is 0, an
    absolute error of at most that much).

    >>> log1p(np.array([0.0, 1.0])).numpy()
    array([0.       , 0.6931472], dtype=float32)
    """
    return log(add(1.0, as_float(convert_to_tensor(x))))


def expm1(x: Any) -> Any:
    """``exp(x) - 1``, as ``keras.ops.expm1`` (computed as written, like ``log1p``).

    >>> expm1(np.array([0.0])).numpy()
    array([0.], dtype=float32)
    """
    return subtract(exp(x), 1.0)


def exp2(x: Any) -> Any:
    """``2 ** x``, as ``keras.ops.exp2``.

    >>> exp2(np.array([3.0])).numpy()
    array([8.], dtype=float32)
    """
    return exp(multiply(as_float(convert_to_tensor(x)), np.float32(math.log(2))))


def logaddexp2(x1: Any, x2: Any) -> Any:
    """``log2(2 ** x1 + 2 ** x2)``, computed stably, as ``keras.ops.logaddexp2``.

    >>> logaddexp2(np.array([1.0]), np.array([1.0])).numpy()
    array([2.], dtype=float32)
    """
    ln2 = np.float32(math.log(2))
    a, b = as_float(convert_to_tensor(x1)), as_float(convert_to_tensor(x2))
    return multiply(logaddexp(multiply(a, ln2), multiply(b, ln2)), np.float32(1 / math.log(2)))


def _odd(f: Any, x: Any) -> Any:
    """``f`` extended as an odd function from ``[0, inf)`` (``f(0) = 0``): ``f(relu(x)) - f(relu(-x))``."""
    x = as_float(convert_to_tensor(x))
    return subtract(f(maximum(x, 0.0)), f(maximum(negative(x), 0.0)))


def sinh(x: Any) -> Any:
    """The hyperbolic sine, as ``keras.ops.sinh``.

    >>> sinh(np.array([0.0])).numpy()
    array([0.], dtype=float32)
    """
    x = as_float(convert_to_tensor(x))
    return multiply(subtract(exp(x), exp(negative(x))), 0.5)


def cosh(x: Any) -> Any:
    """The hyperbolic cosine, as ``keras.ops.cosh``.

    >>> cosh(np.array([0.0])).numpy()
    array([1.], dtype=float32)
    """
    x = as_float(convert_to_tensor(x))
    return multiply(add(exp(x), exp(negative(x))), 0.5)


def arcsinh(x: Any) -> Any:
    """The inverse hyperbolic sine (``log(x + sqrt(x**2 + 1))``, odd), as ``keras.ops.arcsinh``.

    >>> arcsinh(np.array([0.0])).numpy()
    array([0.], dtype=float32)
    """
    return _odd(lambda y: log(add(y, sqrt(add(multiply(y, y), 1.0)))), x)


def arccosh(x: Any) -> Any:
    """The inverse hyperbolic cosine (``log(x + sqrt(x**2 - 1))``, ``x >= 1``), as ``keras.ops.arccosh``.

    >>> arccosh(np.array([1.0])).numpy()
    array([0.], dtype=float32)
    """
    x = as_float(convert_to_tensor(x))
    return log(add(x, sqrt(subtract(multiply(x, x), 1.0))))


def arctanh(x: Any) -> Any:
    """The inverse hyperbolic tangent (``log((1 + x) / (1 - x)) / 2``), as ``keras.ops.arctanh``.

    >>> arctanh(np.array([0.0])).numpy()
    array([0.], dtype=float32)
    """
    x = as_float(convert_to_tensor(x))
    return multiply(log(divide(add(1.0, x), subtract(1.0, x))), 0.5)
