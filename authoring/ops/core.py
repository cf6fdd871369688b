"""Tensors in and out of ``wg.ops``: conversion, dtypes, shapes, and the dtype rules every op shares.

Values follow Keras on JAX: float64 becomes float32 and int64 int32 (``convert_to_tensor``), integer
arithmetic keeps int32, and the op set's float-only ops compute integer inputs in float32 (exact up
to 2**24) and cast back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from webgrad import raw_ops
from webgrad.tensor import SymbolicTensor, Tensor

TensorLike = Tensor | SymbolicTensor
# dtypes the op set's Cast reads and writes
_CASTABLE = ("float32", "int32", "float16", "int8", "uint8")


def _standard(a: np.ndarray) -> np.ndarray:
    """float64 -> float32, int64/uint32... -> int32, as Keras on JAX (x64 off) does."""
    if a.dtype.kind == "f" and a.dtype != np.float16:
        return a.astype(np.float32, copy=False)
    if a.dtype.kind in "iu" and a.dtype not in (np.int8, np.uint8):
        return a.astype(np.int32, copy=False)
    return a


def convert_to_tensor(x: Any, dtype: Any = None, sparse: bool | None = None, ragged: bool | None = None) -> Any:
    """``x`` as a webgrad tensor (a ``Tensor``; a ``SymbolicTensor`` stays one), as ``keras.ops.convert_to_tensor``.

    >>> convert_to_tensor([1, 2]).dtype, convert_to_tensor(np.ones(2)).dtype
    ('int32', 'float32')
    """
    if sparse or ragged:
        raise NotImplementedError("wg.ops.convert_to_tensor: sparse and ragged tensors are not supported yet")
    if not isinstance(x, TensorLike):
        x = Tensor(_standard(np.asarray(x)))
    return x if dtype is None else cast(x, dtype)


def convert_to_numpy(x: Any) -> np.ndarray:
    """The value of ``x`` as a numpy array, as ``keras.ops.convert_to_numpy``.

    >>> convert_to_numpy(convert_to_tensor([1.5]))
    array([1.5], dtype=float32)
    """
    if isinstance(x, SymbolicTensor):
        raise ValueError(f"wg.ops.convert_to_numpy: {x!r} is symbolic and has no value")
    return np.asarray(x.data if isinstance(x, Tensor) else x)


def dtype(x: Any) -> str:
    """The dtype name of ``x`` (``"float32"``...), as ``keras.ops.dtype``.

    >>> dtype(np.zeros(2, np.int64))
    'int32'
    """
    return str(convert_to_tensor(x).dtype)


def shape(x: Any) -> tuple[int | None, ...]:
    """The shape of ``x`` as a tuple (``None`` for an unknown dim), as ``keras.ops.shape``.

    >>> shape(np.zeros((2, 3)))
    (2, 3)
    """
    return tuple(x.shape) if isinstance(x, TensorLike) else tuple(np.shape(x))


def ndim(x: Any) -> int:
    """The rank of ``x``, as ``keras.ops.ndim``.

    >>> ndim(np.zeros((2, 3)))
    2
    """
    return len(shape(x))


def size(x: Any) -> int:
    """The number of elements of ``x``, as ``keras.ops.size`` (its shape must be known).

    >>> size(np.zeros((2, 3)))
    6
    """
    dims = shape(x)
    if None in dims:
        raise ValueError(f"wg.ops.size: the shape {dims} has unknown dims")
    return int(np.prod(dims, dtype=np.int64))


def is_tensor(x: Any) -> bool:
    """Whether ``x`` is a webgrad tensor, as ``keras.ops.is_tensor``.

    >>> is_tensor(np.zeros(2)), is_tensor(convert_to_tensor(np.zeros(2)))
    (False, True)
    """
    return isinstance(x, TensorLike)


def cast(x: Any, dtype: Any) -> Any:
    """``x`` converted to ``dtype`` (the op set's ``Cast``: floats to ints truncate), as ``keras.ops.cast``.
    ``"bool"`` on a symbolic tensor gives the float32 mask ``x != 0`` (the op set has no bool dtype).

    >>> cast(np.array([1.7, -1.7]), "int32").numpy()
    array([ 1, -1], dtype=int32)
    """
    to = str(np.dtype(dtype))
    x = convert_to_tensor(x)
    if x.dtype == to:
        return x
    if to == "bool" and isinstance(x, SymbolicTensor):
        # the op set has no bool: in a graph a bool is the float32 mask x != 0 (what wg.ops.equal... give)
        zero = np.zeros((), "int32" if x.dtype == "int32" else "float32")
        return raw_ops.NotEqual(x if x.dtype in ("int32", "float32") else cast(x, "float32"), zero)
    if isinstance(x, Tensor) and not (x.dtype in _CASTABLE and to in _CASTABLE):
        return Tensor(x.data.astype(to))  # an eager bool mask or the like: no graph op needed
    if to not in _CASTABLE or x.dtype not in _CASTABLE:
        raise TypeError(f"wg.ops.cast: {x.dtype} -> {to} is not supported; the op set casts between "
                        f"{', '.join(_CASTABLE)}")
    return raw_ops.Cast(x, to=to)


def stop_gradient(variable: Any) -> Any:
    """``variable`` cut from the gradient tape, as ``keras.ops.stop_gradient``. Symbolic tensors pass
    unchanged (the exported inference graph has no gradients).

    >>> stop_gradient(Tensor(np.ones(2, np.float32), requires_grad=True)).requires_grad
    False
    """
    x = convert_to_tensor(variable)
    return Tensor(x.data) if isinstance(x, Tensor) else x


# ---- dtype rules shared by the ops modules ---------------------------------------------------------


def is_int(x: Any) -> bool:
    """Whether ``x`` (a tensor or a Python/numpy scalar) has an integer (or bool) dtype."""
    if isinstance(x, TensorLike):
        return np.dtype(x.dtype).kind in "iub"
    return isinstance(x, int | np.integer | bool | np.bool_)


def operand(x: Any) -> Any:
    """A tensor, or a Python number kept as is (weakly typed, as in Keras: it adopts the other side's dtype)."""
    if isinstance(x, bool | int | float) and not isinstance(x, np.generic):
        return x
    return convert_to_tensor(x)


def as_float(x: Any) -> Any:
    """``x`` (tensor or Python number) in float32, what the op set's arithmetic reads."""
    if isinstance(x, TensorLike):
        return cast(x, "float32")
    return float(x)


def float_op(fn: Callable[..., Any], *xs: Any, keep_int: bool = False) -> Any:
    """``fn`` of the float32 forms of ``xs``; with ``keep_int`` and all ``xs`` integer, cast back to int32."""
    xs = tuple(operand(x) for x in xs)
    out = fn(*(as_float(x) for x in xs))
    if keep_int and all(is_int(x) for x in xs):
        return cast(out, "int32")
    return out


def axes_list(axis: int | Sequence[int] | None) -> list[int] | None:
    """Keras's ``axis`` (None, an int or a sequence) as the op set's ``axes`` list."""
    if axis is None:
        return None
    return [int(axis)] if isinstance(axis, int | np.integer) else [int(a) for a in axis]


def array(x: Any, dtype: Any = None) -> Any:
    """``x`` as a tensor, as ``keras.ops.array``.

    >>> array([1.5, 2.0]).dtype
    'float32'
    """
    return convert_to_tensor(x, dtype)


def copy(x: Any) -> Any:
    """A copy of ``x`` (a symbolic tensor passes unchanged), as ``keras.ops.copy``.

    >>> copy(np.ones(2)).numpy()
    array([1., 1.], dtype=float32)
    """
    x = convert_to_tensor(x)
    return Tensor(np.array(x.data)) if isinstance(x, Tensor) and not x.requires_grad else x


def saturate_cast(x: Any, dtype: Any) -> Any:
    """``x`` clipped to the range of ``dtype``, then cast, as ``keras.ops.saturate_cast``.

    >>> saturate_cast(np.array([-5.0, 300.0]), "uint8").numpy()
    array([  0, 255], dtype=uint8)
    """
    to = np.dtype(dtype)
    x = convert_to_tensor(x)
    if to.kind in "iu":
        info = np.iinfo(to)
        f = as_float(x)
        # float32 rounds int32's limits outward; keep them inside so the Cast does not wrap to 0
        lo, hi = np.float32(max(info.min, -2**31 + 128)), np.float32(min(info.max, 2**31 - 128))
        x = raw_ops.Minimum(raw_ops.Maximum(f, lo), hi)
    return cast(x, to)
