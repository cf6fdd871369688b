"""Pooling layers: MaxPooling2D, AveragePooling2D, the global average and max poolings (1-D and 2-D,
``keepdims`` as in Keras) and Keras's short aliases (``MaxPool2D``, ``GlobalAvgPool2D``...)."""

from __future__ import annotations

from typing import Any

from webgrad import raw_ops as ops
from webgrad.layers.base import Layer
from webgrad.layers.conv import _padding, _pair, channels_last_only


class _Pool2D(Layer):
    op = ""

    def __init__(self, pool_size: int | tuple = 2, strides: int | tuple | None = None,
                 padding: str = "valid", data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = channels_last_only(type(self).__name__, data_format)
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
                "padding": self.padding.lower(), "data_format": self.data_format}


class MaxPooling2D(_Pool2D):
    """Max over ``pool_size`` windows (stride defaults to the pool size)."""

    op = "MaxPool2D"


class AveragePooling2D(_Pool2D):
    """Mean over ``pool_size`` windows (padding not counted)."""

    op = "AvgPool2D"


class _GlobalPool(Layer):
    """Reduces the spatial axes (all but batch and channels) by mean or max; ``keepdims`` keeps them
    as size 1."""

    rank = 4
    reduce = "ReduceMean"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = channels_last_only(type(self).__name__, data_format)
        self.keepdims = bool(keepdims)

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) != self.rank:
            what = "(batch, height, width, channels)" if self.rank == 4 else "(batch, steps, channels)"
            raise ValueError(f"{type(self).__name__} expects {self.rank}-D input {what}, got {input_shape}")

    def call(self, x: Any, training: bool = False) -> Any:
        if self.reduce == "ReduceMean" and self.rank == 4 and not self.keepdims:
            return ops.GlobalAvgPool(x)  # the op the runtimes fuse and run fastest
        return ops.apply(self.reduce, x, axes=list(range(1, self.rank - 1)), keepdims=self.keepdims)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalAveragePooling2D(_GlobalPool):
    """Mean over height and width: ``[N, H, W, C] -> [N, C]`` (``[N, 1, 1, C]`` with ``keepdims``)."""


class GlobalAveragePooling1D(_GlobalPool):
    """Mean over time: ``[N, T, C] -> [N, C]`` (``[N, 1, C]`` with ``keepdims``)."""

    rank = 3


class GlobalMaxPooling2D(_GlobalPool):
    """Max over height and width: ``[N, H, W, C] -> [N, C]`` (``[N, 1, 1, C]`` with ``keepdims``).

    >>> import numpy as np, webgrad as wg
    >>> x = np.arange(8, dtype=np.float32).reshape(1, 2, 2, 2)
    >>> wg.layers.GlobalMaxPooling2D()(x).numpy()
    array([[6., 7.]], dtype=float32)
    """

    reduce = "ReduceMax"


class GlobalMaxPooling1D(_GlobalPool):
    """Max over time: ``[N, T, C] -> [N, C]`` (``[N, 1, C]`` with ``keepdims``)."""

    rank = 3
    reduce = "ReduceMax"


# Keras's short names are the same classes (``keras.layers.MaxPool2D is keras.layers.MaxPooling2D``)
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
