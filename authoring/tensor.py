"""Tensors that flow through webgrad: eager values with an autodiff record, and symbolic ones.

- ``Tensor`` wraps a numpy array; when it was made by an op from inputs that need a gradient, it keeps
  the op and its inputs (``node``) so ``autodiff.gradients`` can walk back.
- ``Variable`` is a trainable weight: a ``Tensor`` with a name whose value optimizers replace.
- ``SymbolicTensor`` has only a shape (``None`` for an unknown dim) and a dtype. Layers run their
  ``call`` on symbolic tensors to infer output shapes and to build functional models.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Node:
    """How a Tensor was made: the op, its attributes and its inputs (Tensors, arrays or None)."""

    __slots__ = ("attrs", "impl", "inputs")

    def __init__(self, impl: Any, attrs: dict[str, Any], inputs: list[Any]):
        self.impl = impl
        self.attrs = attrs
        self.inputs = inputs


class _OpsMixin:
    """Python operators map to op-set ops so losses and layers read naturally."""

    __slots__ = ()
    # numpy must hand `array * tensor` to our reflected operators instead of converting the tensor
    __array_ufunc__ = None

    def __add__(self, other: Any) -> Any:
        return _ops().apply("Add", self, other)

    def __radd__(self, other: Any) -> Any:
        return _ops().apply("Add", other, self)

    def __sub__(self, other: Any) -> Any:
        return _ops().apply("Sub", self, other)

    def __rsub__(self, other: Any) -> Any:
        return _ops().apply("Sub", other, self)

    def __mul__(self, other: Any) -> Any:
        return _ops().apply("Mul", self, other)

    def __rmul__(self, other: Any) -> Any:
        return _ops().apply("Mul", other, self)

    def __truediv__(self, other: Any) -> Any:
        return _ops().apply("Div", self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return _ops().apply("Div", other, self)

    def __neg__(self) -> Any:
        return _ops().apply("Sub", np.float32(0), self)


def _ops() -> Any:
    """``webgrad.raw_ops``, imported on the first operator use: ops builds Tensors, so tensor cannot import
    it at module top (the one import inside a function between webgrad's own modules; see
    docs/architecture.md)."""
    from webgrad import raw_ops as ops

    return ops


class Tensor(_OpsMixin):
    """An eager value. ``data`` is the numpy array; ``node`` is set when it carries a gradient."""

    __slots__ = ("__weakref__", "data", "node", "requires_grad")

    def __init__(self, data: Any, requires_grad: bool = False, node: Node | None = None):
        self.data = data
        self.requires_grad = requires_grad
        self.node = node

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.data.shape)

    @property
    def dtype(self) -> str:
        return str(self.data.dtype)

    def numpy(self) -> np.ndarray:
        """The value as a numpy array."""
        return np.asarray(self.data)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = np.asarray(self.data)
        return a.astype(dtype) if dtype is not None else a

    def __repr__(self) -> str:
        return f"Tensor(shape={self.shape}, dtype={self.dtype})"


class Variable(Tensor):
    """A trainable (or frozen) weight of a layer."""

    __slots__ = ("name", "regularizer", "trainable")

    def __init__(self, data: Any, name: str, trainable: bool = True):
        super().__init__(data, requires_grad=trainable)
        self.name = name
        self.trainable = trainable
        #: a callable (``webgrad.regularizers``) whose penalty of this weight ``layer.losses`` includes
        self.regularizer: Any = None

    def assign(self, value: Any) -> None:
        """Replaces the value; the shape must stay the same."""
        # a copy: optimizers update weights in place and must never write into the caller's array
        value = np.array(value, dtype=self.data.dtype) if isinstance(self.data, np.ndarray) else value
        if tuple(value.shape) != tuple(self.data.shape):
            raise ValueError(f"weight {self.name!r} has shape {tuple(self.data.shape)}, got {tuple(value.shape)}")
        self.data = value

    def __repr__(self) -> str:
        return f"Variable({self.name!r}, shape={self.shape}, dtype={self.dtype}, trainable={self.trainable})"


class SymbolicTensor(_OpsMixin):
    """A placeholder with a shape (``None`` = unknown) and dtype; no value.

    ``history`` is set on the outputs of a layer call: ``(layer, node_index, tensor_index)``.
    """

    __slots__ = ("dtype", "history", "name", "shape")

    def __init__(self, shape: tuple, dtype: str = "float32", name: str | None = None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.history: tuple | None = None
        self.name = name

    def __repr__(self) -> str:
        return f"SymbolicTensor(shape={self.shape}, dtype={self.dtype})"
