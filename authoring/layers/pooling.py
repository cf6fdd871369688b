"""Pooling layers: MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalAveragePooling1D."""

from __future__ import annotations

from typing import Any

from webgrad import raw_ops as ops
from webgrad.layers.base import Layer
from webgrad.layers.conv import _padding, _pair


class _Pool2D(Layer):
    op = ""

    def __init__(self, pool_size: int | tuple = 2, strides: int | tuple | None = None,
                 padding: str = "valid", **kwargs: Any):
        super().__init__(**kwargs)
        self.pool_size = _pair(pool_size, "pool_size")
        self.strides = _pair(strides, "strides") if strides is not None else self.pool_size
        self.padding = _padding(padding)

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) != 4:
            raise ValueError(f"{type(self).__name__} expects 4-D input (batch, height, width, channels), "
                             f"got {input_shape}")

    def call(self, x: Any, training: bool = False) -> Any:
        return ops.apply(self.op, x, pool_size=list(self.pool_size), strides=list(self.strides),
                         padding=self.padding)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "pool_size": list(self.pool_size), "strides": list(self.strides),
                "padding": self.padding.lower()}


class MaxPooling2D(_Pool2D):
    """Max over ``pool_size`` windows (stride defaults to the pool size)."""

    op = "MaxPool2D"


class AveragePooling2D(_Pool2D):
    """Mean over ``pool_size`` windows (padding not counted)."""

    op = "AvgPool2D"


class GlobalAveragePooling2D(Layer):
    """Mean over height and width: ``[N, H, W, C] -> [N, C]``."""

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) != 4:
            raise ValueError(f"GlobalAveragePooling2D expects 4-D input, got {input_shape}")

    def call(self, x: Any, training: bool = False) -> Any:
        return ops.GlobalAvgPool(x)


class GlobalAveragePooling1D(Layer):
    """Mean over time: ``[N, T, C] -> [N, C]``."""

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) != 3:
            raise ValueError(f"GlobalAveragePooling1D expects 3-D input (batch, steps, channels), got {input_shape}")

    def call(self, x: Any, training: bool = False) -> Any:
        return ops.ReduceMean(x, axes=[1])
