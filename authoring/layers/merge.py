"""Layers that join several inputs (Keras's merge layers) and their lower-case functional forms:
``Add``/``add``, ``Subtract``/``subtract``, ``Multiply``/``multiply``, ``Average``/``average``,
``Maximum``/``maximum``, ``Minimum``/``minimum``, ``Concatenate``/``concatenate``.

>>> import numpy as np, webgrad as wg
>>> a, b = np.float32([[1, 5]]), np.float32([[3, 2]])
>>> [wg.layers.average([a, b]).numpy().tolist(), wg.layers.maximum([a, b]).numpy().tolist()]
[[[2.0, 3.5]], [[3.0, 5.0]]]
>>> x, y = wg.Input((2,)), wg.Input((3,))
>>> wg.layers.concatenate([x, y]).shape
(None, 5)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad import raw_ops as ops
from webgrad.layers.base import Layer


class _Merge(Layer):
    """Elementwise merge of at least two inputs (numpy broadcasting) with one binary op."""

    n_inputs = None
    _op = "Add"

    def _check(self, xs: list) -> None:
        if len(xs) < 2:
            raise ValueError(f"{type(self).__name__} layer {self.name!r} needs at least 2 inputs, got {len(xs)}")

    def call(self, xs: list, training: bool = False) -> Any:
        self._check(xs)
        y = xs[0]
        for x in xs[1:]:
            y = ops.apply(self._op, y, x)
        return y


class Add(_Merge):
    """Elementwise sum of its inputs."""

    _op = "Add"


class Multiply(_Merge):
    """Elementwise product of its inputs."""

    _op = "Mul"


class Maximum(_Merge):
    """Elementwise maximum of its inputs."""

    _op = "Maximum"


class Minimum(_Merge):
    """Elementwise minimum of its inputs."""

    _op = "Minimum"


class Average(_Merge):
    """Elementwise mean of its inputs."""

    def call(self, xs: list, training: bool = False) -> Any:
        total = Add.call(self, xs)
        return ops.Mul(total, np.float32(1.0 / len(xs)))


class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    def call(self, xs: list, training: bool = False) -> Any:
        if len(xs) != 2:
            raise ValueError(f"Subtract layer {self.name!r} needs exactly 2 inputs, got {len(xs)}")
        return ops.Sub(xs[0], xs[1])


class Concatenate(Layer):
    """Joins its inputs along ``axis``."""

    n_inputs = None

    def __init__(self, axis: int = -1, **kwargs: Any):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def call(self, xs: list, training: bool = False) -> Any:
        if len(xs) < 2:
            raise ValueError(f"Concatenate needs at least 2 inputs, got {len(xs)}")
        return ops.Concat(*xs, axis=self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


def add(inputs: list, **kwargs: Any) -> Any:
    """``Add(**kwargs)(inputs)``."""
    return Add(**kwargs)(inputs)


def subtract(inputs: list, **kwargs: Any) -> Any:
    """``Subtract(**kwargs)(inputs)``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: list, **kwargs: Any) -> Any:
    """``Multiply(**kwargs)(inputs)``."""
    return Multiply(**kwargs)(inputs)


def average(inputs: list, **kwargs: Any) -> Any:
    """``Average(**kwargs)(inputs)``."""
    return Average(**kwargs)(inputs)


def maximum(inputs: list, **kwargs: Any) -> Any:
    """``Maximum(**kwargs)(inputs)``."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list, **kwargs: Any) -> Any:
    """``Minimum(**kwargs)(inputs)``."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: list, axis: int = -1, **kwargs: Any) -> Any:
    """``Concatenate(axis=axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)
