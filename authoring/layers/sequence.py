"""1-D layers over sequences ``[batch, steps, channels]``: Conv1D, MaxPooling1D, AveragePooling1D.

The op set's convolution and pooling are 2-D (NHWC), so each of these runs its 2-D op on the
sequence seen as an image one row high: ``Reshape [N, T, C] -> [N, 1, T, C]``, the 2-D op with a
``(1, k)`` window, ``Reshape`` back. Weights keep Keras's 1-D shapes (``Conv1D``'s kernel is
``[kernel_size, channels / groups, filters]``), so they copy to and from Keras as they are.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad import initializers
from webgrad import raw_ops as ops
from webgrad.layers.base import Layer
from webgrad.layers.conv import _ConvBase, _padding, channels_last_only


def _one(v: int | tuple | list, what: str) -> int:
    """Keras's 1-D size argument: an int or a 1-tuple, positive."""
    t = (v,) if isinstance(v, int | np.integer) else tuple(v)
    if len(t) != 1 or int(t[0]) <= 0:
        raise ValueError(f"{what} must be a positive int (or a 1-tuple of one), got {v!r}")
    return int(t[0])


def _as_rows(x: Any) -> Any:
    """``[N, T, C]`` as ``[N, 1, T, C]``."""
    return ops.Reshape(x, shape=[0, 1, -1, int(x.shape[-1])])


def _as_sequence(y: Any) -> Any:
    """``[N, 1, T, C]`` back to ``[N, T, C]``."""
    return ops.Reshape(y, shape=[0, -1, int(y.shape[-1])])


def _check_sequence(layer: Layer, input_shape: tuple) -> int:
    if len(input_shape) != 3 or input_shape[-1] is None:
        raise ValueError(f"{type(layer).__name__} expects 3-D input (batch, steps, channels) with known channels, "
                         f"got {input_shape}")
    return int(input_shape[-1])


class Conv1D(_ConvBase):
    """1-D convolution over the steps with ``filters`` outputs (Keras's ``Conv1D``): ``padding`` is
    ``"valid"``, ``"same"`` or ``"causal"`` (output step t sees only steps <= t: left padding of
    ``dilation_rate * (kernel_size - 1)``); ``groups`` splits the channels.

    >>> import numpy as np, webgrad as wg
    >>> wg.layers.Conv1D(8, 3, padding="causal", dilation_rate=2)(np.ones((2, 10, 4), np.float32)).shape
    (2, 10, 8)
    """

    def __init__(self, filters: int, kernel_size: int | tuple, strides: int | tuple = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: int | tuple = 1, groups: int = 1,
                 kernel_initializer: str = "glorot_uniform", **kwargs: Any):
        k, s, d = _one(kernel_size, "kernel_size"), _one(strides, "strides"), _one(dilation_rate, "dilation_rate")
        causal = str(padding).lower() == "causal"
        super().__init__((1, k), strides=(1, s), padding="valid" if causal else padding,
                         dilation_rate=(1, d), data_format=data_format, **kwargs)
        if s > 1 and d > 1:
            raise ValueError(f"Conv1D {self.name!r}: strides > 1 and dilation_rate > 1 cannot be combined "
                             f"(got strides={s}, dilation_rate={d})")
        self.causal = causal
        self.filters = int(filters)
        self.groups = int(groups)
        if self.filters <= 0 or self.groups <= 0 or self.filters % self.groups:
            raise ValueError(f"Conv1D {self.name!r}: filters ({filters}) must be positive and divisible by "
                             f"groups ({groups})")
        self.kernel_initializer = initializers.get(kernel_initializer)

    def build(self, input_shape: tuple) -> None:
        c = _check_sequence(self, input_shape)
        if c % self.groups:
            raise ValueError(f"Conv1D {self.name!r}: input channels ({c}) must be divisible by groups ({self.groups})")
        k = self.kernel_size[1]
        self.kernel = self._kernel("kernel", (k, c // self.groups, self.filters), self.kernel_initializer)
        self.bias = self._kernel("bias", (self.filters,), self.bias_initializer) if self.use_bias else None

    def call(self, x: Any, training: bool = False) -> Any:
        if self.causal:
            left = self.dilation_rate[1] * (self.kernel_size[1] - 1)
            x = ops.Pad(x, pads=[0, 0, left, 0, 0, 0])
        w = ops.Reshape(self.kernel, shape=[1, *self.kernel.shape])
        y = self._activate(lambda fused: ops.Conv2D(
            _as_rows(x), w, self.bias, strides=list(self.strides), padding=self.padding,
            dilations=list(self.dilation_rate), groups=self.groups, activation=fused))
        return _as_sequence(y)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": [self.kernel_size[1]],
            "strides": [self.strides[1]],
            "padding": "causal" if self.causal else self.padding.lower(),
            "dilation_rate": [self.dilation_rate[1]],
            "groups": self.groups,
            "kernel_initializer": initializers.name_of(self.kernel_initializer),
        }


class _Pool1D(Layer):
    op = ""

    def __init__(self, pool_size: int | tuple = 2, strides: int | tuple | None = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.data_format = channels_last_only(type(self).__name__, data_format)
        self.pool_size = _one(pool_size, "pool_size")
        self.strides = _one(strides, "strides") if strides is not None else self.pool_size
        self.padding = _padding(padding)

    def build(self, input_shape: tuple) -> None:
        _check_sequence(self, input_shape)

    def call(self, x: Any, training: bool = False) -> Any:
        y = ops.apply(self.op, _as_rows(x), pool_size=[1, self.pool_size], strides=[1, self.strides],
                      padding=self.padding)
        return _as_sequence(y)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "pool_size": [self.pool_size], "strides": [self.strides],
                "padding": self.padding.lower(), "data_format": self.data_format}


class MaxPooling1D(_Pool1D):
    """Max over windows of ``pool_size`` steps (stride defaults to the pool size; ``"same"`` padding
    never wins the max).

    >>> import numpy as np, webgrad as wg
    >>> wg.layers.MaxPooling1D(2)(np.arange(6, dtype=np.float32).reshape(1, 3, 2)).numpy()
    array([[[2., 3.]]], dtype=float32)
    """

    op = "MaxPool2D"


class AveragePooling1D(_Pool1D):
    """Mean over windows of ``pool_size`` steps (with ``"same"`` padding, the padding is not counted,
    as in Keras).

    >>> import numpy as np, webgrad as wg
    >>> wg.layers.AveragePooling1D(2)(np.arange(6, dtype=np.float32).reshape(1, 3, 2)).numpy()
    array([[[1., 2.]]], dtype=float32)
    """

    op = "AvgPool2D"


# Keras's short names are the same classes
Convolution1D = Conv1D
MaxPool1D = MaxPooling1D
AvgPool1D = AveragePooling1D
