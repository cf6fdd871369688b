"""Layers that join several inputs: Add and Concatenate."""

from __future__ import annotations

from typing import Any

from webgrad import raw_ops as ops
from webgrad.layers.base import Layer


class Add(Layer):
    """Elementwise sum of its inputs (numpy broadcasting)."""

    n_inputs = None

    def call(self, xs: list, training: bool = False) -> Any:
        if len(xs) < 2:
            raise ValueError(f"Add needs at least 2 inputs, got {len(xs)}")
        y = xs[0]
        for x in xs[1:]:
            y = ops.Add(y, x)
        return y


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
