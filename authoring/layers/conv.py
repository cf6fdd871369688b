"""Convolution layers (NHWC inputs, HWIO kernels): Conv2D and DepthwiseConv2D."""

from __future__ import annotations

from typing import Any

from webgrad import activations, initializers
from webgrad import raw_ops as ops
from webgrad.layers.base import Layer


def _pair(v: int | tuple, what: str) -> tuple[int, int]:
    t = (v, v) if isinstance(v, int) else tuple(v)
    if len(t) != 2 or any(int(i) <= 0 for i in t):
        raise ValueError(f"{what} must be a positive int or a pair of them, got {v!r}")
    return int(t[0]), int(t[1])


def _padding(p: str) -> str:
    p2 = str(p).upper()
    if p2 not in ("SAME", "VALID"):
        raise ValueError(f"padding must be 'same' or 'valid', got {p!r}")
    return p2


class _ConvBase(Layer):
    def __init__(
        self,
        kernel_size: int | tuple,
        strides: int | tuple = 1,
        padding: str = "valid",
        dilation_rate: int | tuple = 1,
        activation: str | None = None,
        use_bias: bool = True,
        bias_initializer: str = "zeros",
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        self.padding = _padding(padding)
        self.dilation_rate = _pair(dilation_rate, "dilation_rate")
        self.activation = activations.check(activation)
        self.use_bias = use_bias
        self.bias_initializer = initializers.get(bias_initializer)

    def _channels(self, input_shape: tuple) -> int:
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__} expects 4-D input (batch, height, width, channels), got {input_shape}"
            )
        return int(input_shape[-1])

    def _conv(self, x: Any, groups: int) -> Any:
        fused = activations.FUSABLE.get(self.activation)
        y = ops.Conv2D(
            x, self.kernel, self.bias,
            strides=list(self.strides), padding=self.padding, dilations=list(self.dilation_rate),
            groups=groups, activation=fused or "none",
        )
        return y if fused else activations.get(self.activation)(y)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding.lower(),
            "dilation_rate": list(self.dilation_rate),
            "activation": self.activation,
            "use_bias": self.use_bias,
            "bias_initializer": initializers.name_of(self.bias_initializer),
        }


class Conv2D(_ConvBase):
    """2-D convolution with ``filters`` outputs; ``groups`` splits the channels.

    >>> import numpy as np, webgrad as wg
    >>> wg.layers.Conv2D(8, 3, padding="same")(np.ones((1, 5, 5, 2), np.float32)).shape
    (1, 5, 5, 8)
    """

    def __init__(self, filters: int, kernel_size: int | tuple, groups: int = 1,
                 kernel_initializer: str = "glorot_uniform", **kwargs: Any):
        super().__init__(kernel_size, **kwargs)
        self.filters = int(filters)
        self.groups = int(groups)
        if self.filters % self.groups:
            raise ValueError(f"Conv2D filters ({filters}) must be divisible by groups ({groups})")
        self.kernel_initializer = initializers.get(kernel_initializer)

    def build(self, input_shape: tuple) -> None:
        c = self._channels(input_shape)
        if c % self.groups:
            raise ValueError(f"input channels ({c}) must be divisible by groups ({self.groups})")
        kh, kw = self.kernel_size
        self.kernel = self.add_weight("kernel", (kh, kw, c // self.groups, self.filters), self.kernel_initializer)
        self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer) if self.use_bias else None

    def call(self, x: Any, training: bool = False) -> Any:
        return self._conv(x, self.groups)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "groups": self.groups,
            "kernel_initializer": initializers.name_of(self.kernel_initializer),
        }


class DepthwiseConv2D(_ConvBase):
    """Per-channel convolution: ``depth_multiplier`` outputs for each input channel.

    The kernel is stored in the op's HWIO layout ``[kh, kw, 1, channels * depth_multiplier]``
    (output channel ``c * depth_multiplier + m``), so it feeds Conv2D with ``groups = channels``.
    """

    def __init__(self, kernel_size: int | tuple, depth_multiplier: int = 1,
                 depthwise_initializer: str = "glorot_uniform", **kwargs: Any):
        super().__init__(kernel_size, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        self.depthwise_initializer = initializers.get(depthwise_initializer)

    def build(self, input_shape: tuple) -> None:
        c = self._channels(input_shape)
        self.channels = c
        kh, kw = self.kernel_size
        out = c * self.depth_multiplier
        self.kernel = self.add_weight("depthwise_kernel", (kh, kw, 1, out), self.depthwise_initializer)
        self.bias = self.add_weight("bias", (out,), self.bias_initializer) if self.use_bias else None

    def call(self, x: Any, training: bool = False) -> Any:
        return self._conv(x, self.channels)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": initializers.name_of(self.depthwise_initializer),
        }
