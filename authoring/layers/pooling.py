"""Pooling layers: MaxPooling2D, AveragePooling2D, the global average and max poolings (1-D and 2-D,
``keepdims`` as in Keras; the 1-D ones leave masked steps out) and Keras's short aliases
(``MaxPool2D``, ``GlobalAvgPool2D``...). MaxPooling1D and AveragePooling1D are in ``sequence``."""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad import raw_ops as ops
from webgrad.layers.base import Layer
from webgrad.layers.conv import _padding, _pair, channels_last_only
from webgrad.layers.masking import steps_mask


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
    """Mean over time: ``[N, T, C] -> [N, C]`` (``[N, 1, C]`` with ``keepdims``). With a mask (from
    ``Embedding(mask_zero=True)``...) the mean is over the unmasked steps only, as in Keras; a row
    with every step masked gives 0 (Keras: NaN).

    >>> import numpy as np, webgrad as wg
    >>> x = np.array([[[1.0], [3.0], [100.0]]], np.float32)
    >>> wg.layers.GlobalAveragePooling1D()(x, mask=np.array([[1, 1, 0]])).numpy()
    array([[2.]], dtype=float32)
    """

    rank = 3

    def call(self, x: Any, training: bool = False, mask: Any = None) -> Any:
        if mask is None:
            return super().call(x)
        m = steps_mask(mask)
        total = ops.ReduceSum(ops.Where(m, x, np.float32(0)), axes=[1], keepdims=self.keepdims)
        count = ops.ReduceSum(m, axes=[1], keepdims=self.keepdims)
        return ops.Div(total, ops.Maximum(count, np.float32(1)))  # count is 0 or a whole number >= 1


class GlobalMaxPooling2D(_GlobalPool):
    """Max over height and width: ``[N, H, W, C] -> [N, C]`` (``[N, 1, 1, C]`` with ``keepdims``).

    >>> import numpy as np, webgrad as wg
    >>> x = np.arange(8, dtype=np.float32).reshape(1, 2, 2, 2)
    >>> wg.layers.GlobalMaxPooling2D()(x).numpy()
    array([[6., 7.]], dtype=float32)
    """

    reduce = "ReduceMax"


class GlobalMaxPooling1D(_GlobalPool):
    """Max over time: ``[N, T, C] -> [N, C]`` (``[N, 1, C]`` with ``keepdims``). With a mask the max
    is over the unmasked steps only (Keras 3's layer ignores masks: webgrad's padding never wins the
    max); a row with every step masked gives 0.

    >>> import numpy as np, webgrad as wg
    >>> x = np.array([[[1.0], [3.0], [100.0]]], np.float32)
    >>> wg.layers.GlobalMaxPooling1D()(x, mask=np.array([[1, 1, 0]])).numpy()
    array([[3.]], dtype=float32)
    """

    rank = 3
    reduce = "ReduceMax"

    def call(self, x: Any, training: bool = False, mask: Any = None) -> Any:
        if mask is None:
            return super().call(x)
        m = steps_mask(mask)
        lowest = np.float32(np.finfo(np.float32).min)
        top = ops.ReduceMax(ops.Where(m, x, lowest), axes=[1], keepdims=self.keepdims)
        return ops.Where(ops.ReduceMax(m, axes=[1], keepdims=self.keepdims), top, np.float32(0))


# Keras's short names are the same classes (``keras.layers.MaxPool2D is keras.layers.MaxPooling2D``)
MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
