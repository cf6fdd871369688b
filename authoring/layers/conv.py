"""Convolution layers (NHWC inputs, HWIO kernels): Conv2D, DepthwiseConv2D, SeparableConv2D and
Conv2DTranspose."""

from __future__ import annotations

from typing import Any, ClassVar

from webgrad import activations, initializers, regularizers
from webgrad import raw_ops as ops
from webgrad.layers.base import Layer
from webgrad.layers.core import _no_constraint, _regularizer_config


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


def channels_last_only(layer: str, data_format: str | None) -> str:
    """Keras's ``data_format``: only ``channels_last`` (NHWC, the op set's layout) is supported."""
    if data_format in (None, "channels_last"):
        return "channels_last"
    if data_format == "channels_first":
        raise NotImplementedError(f"{layer} data_format='channels_first' is not supported yet (NHWC only)")
    raise ValueError(f"{layer} data_format must be 'channels_last' or 'channels_first', got {data_format!r}")


class _ConvBase(Layer):
    #: the layer's kernels by argument prefix (``kernel_regularizer``...) and weight name
    kernels: ClassVar[dict[str, str]] = {"kernel": "kernel"}

    def __init__(
        self,
        kernel_size: int | tuple,
        strides: int | tuple = 1,
        padding: str = "valid",
        dilation_rate: int | tuple = 1,
        activation: str | None = None,
        use_bias: bool = True,
        bias_initializer: str = "zeros",
        data_format: str | None = None,
        **kwargs: Any,
    ):
        prefixes = [*self.kernels, "bias"]
        regs = {f"{p}_regularizer": kwargs.pop(f"{p}_regularizer", None) for p in prefixes}
        constraints = {f"{p}_constraint": kwargs.pop(f"{p}_constraint", None) for p in prefixes}
        super().__init__(**kwargs)
        _no_constraint(self, **constraints)
        for key, reg in regs.items():  # kernel_regularizer... as attributes, as in Keras
            setattr(self, key, regularizers.get(reg))
        self.data_format = channels_last_only(type(self).__name__, data_format)
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        self.padding = _padding(padding)
        self.dilation_rate = _pair(dilation_rate, "dilation_rate")
        self.activation = activations.check(activation)
        self.use_bias = use_bias
        self.bias_initializer = initializers.get(bias_initializer)

    def _kernel(self, prefix: str, shape: tuple, initializer: Any) -> Any:
        """The weight for ``prefix`` (a key of ``kernels``, or ``"bias"``) with its regularizer."""
        return self.add_weight(shape=shape, initializer=initializer, name=self.kernels.get(prefix, prefix),
                               regularizer=getattr(self, f"{prefix}_regularizer"))

    def _channels(self, input_shape: tuple) -> int:
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__} expects 4-D input (batch, height, width, channels), got {input_shape}"
            )
        return int(input_shape[-1])

    def _conv(self, x: Any, groups: int) -> Any:
        return self._activate(lambda fused: ops.Conv2D(
            x, self.kernel, self.bias,
            strides=list(self.strides), padding=self.padding, dilations=list(self.dilation_rate),
            groups=groups, activation=fused,
        ))

    def _activate(self, conv: Any) -> Any:
        """``conv(fused)`` with the activation fused into the op when the op set can, else applied after."""
        fused = activations.FUSABLE.get(self.activation)
        y = conv(fused or "none")
        return y if fused else activations.get(self.activation)(y)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding.lower(),
            "data_format": self.data_format,
            "dilation_rate": list(self.dilation_rate),
            "activation": self.activation,
            "use_bias": self.use_bias,
            "bias_initializer": initializers.name_of(self.bias_initializer),
            **_regularizer_config(**{f"{p}_regularizer": getattr(self, f"{p}_regularizer")
                                     for p in [*self.kernels, "bias"]}),
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
        self.kernel = self._kernel("kernel", (kh, kw, c // self.groups, self.filters), self.kernel_initializer)
        self.bias = self._kernel("bias", (self.filters,), self.bias_initializer) if self.use_bias else None

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

    kernels: ClassVar[dict[str, str]] = {"depthwise": "depthwise_kernel"}

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
        self.kernel = self._kernel("depthwise", (kh, kw, 1, out), self.depthwise_initializer)
        self.bias = self._kernel("bias", (out,), self.bias_initializer) if self.use_bias else None

    def call(self, x: Any, training: bool = False) -> Any:
        return self._conv(x, self.channels)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": initializers.name_of(self.depthwise_initializer),
        }


class SeparableConv2D(_ConvBase):
    """A depthwise convolution (``depth_multiplier`` outputs per input channel, with the strides,
    padding and dilation) followed by a pointwise 1x1 convolution to ``filters`` outputs, with the
    bias and activation after the second.

    Weights: ``depthwise_kernel`` ``[kh, kw, 1, channels * depth_multiplier]`` (DepthwiseConv2D's
    layout), ``pointwise_kernel`` ``[1, 1, channels * depth_multiplier, filters]``, ``bias``.

    >>> import numpy as np, webgrad as wg
    >>> wg.layers.SeparableConv2D(4, 3, padding="same")(np.ones((1, 5, 5, 2), np.float32)).shape
    (1, 5, 5, 4)
    """

    kernels: ClassVar[dict[str, str]] = {"depthwise": "depthwise_kernel", "pointwise": "pointwise_kernel"}

    def __init__(self, filters: int, kernel_size: int | tuple, depth_multiplier: int = 1,
                 depthwise_initializer: str = "glorot_uniform", pointwise_initializer: str = "glorot_uniform",
                 **kwargs: Any):
        super().__init__(kernel_size, **kwargs)
        self.filters = int(filters)
        if self.filters <= 0:
            raise ValueError(f"SeparableConv2D filters must be positive, got {filters!r}")
        self.depth_multiplier = int(depth_multiplier)
        if self.depth_multiplier <= 0:
            raise ValueError(f"SeparableConv2D depth_multiplier must be positive, got {depth_multiplier!r}")
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)

    def build(self, input_shape: tuple) -> None:
        c = self._channels(input_shape)
        self.channels = c
        kh, kw = self.kernel_size
        mid = c * self.depth_multiplier
        self.depthwise_kernel = self._kernel("depthwise", (kh, kw, 1, mid), self.depthwise_initializer)
        self.pointwise_kernel = self._kernel("pointwise", (1, 1, mid, self.filters), self.pointwise_initializer)
        self.bias = self._kernel("bias", (self.filters,), self.bias_initializer) if self.use_bias else None

    def call(self, x: Any, training: bool = False) -> Any:
        y = ops.Conv2D(x, self.depthwise_kernel, None, strides=list(self.strides), padding=self.padding,
                       dilations=list(self.dilation_rate), groups=self.channels)
        return self._activate(lambda fused: ops.Conv2D(y, self.pointwise_kernel, self.bias, activation=fused))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": initializers.name_of(self.depthwise_initializer),
            "pointwise_initializer": initializers.name_of(self.pointwise_initializer),
        }


class Conv2DTranspose(_ConvBase):
    """Transposed 2-D convolution (the gradient of a Conv2D with respect to its input), as Keras's:
    ``strides`` upsample, ``"valid"`` gives ``(H - 1) * stride + max(kernel, stride)`` rows, ``"same"``
    gives ``H * stride``. The kernel is Keras's ``[kh, kw, filters, channels]``.

    >>> import numpy as np, webgrad as wg
    >>> wg.layers.Conv2DTranspose(4, 3, strides=2, padding="same")(np.ones((1, 5, 5, 2), np.float32)).shape
    (1, 10, 10, 4)
    """

    def __init__(self, filters: int, kernel_size: int | tuple, output_padding: Any = None,
                 kernel_initializer: str = "glorot_uniform", **kwargs: Any):
        super().__init__(kernel_size, **kwargs)
        self.filters = int(filters)
        if self.filters <= 0:
            raise ValueError(f"Conv2DTranspose filters must be positive, got {filters!r}")
        if output_padding is not None:
            raise NotImplementedError("Conv2DTranspose output_padding is not supported yet (only None)")
        self.output_padding = None
        self.kernel_initializer = initializers.get(kernel_initializer)

    def build(self, input_shape: tuple) -> None:
        c = self._channels(input_shape)
        kh, kw = self.kernel_size
        self.kernel = self._kernel("kernel", (kh, kw, self.filters, c), self.kernel_initializer)
        self.bias = self._kernel("bias", (self.filters,), self.bias_initializer) if self.use_bias else None

    def call(self, x: Any, training: bool = False) -> Any:
        return self._activate(lambda fused: ops.Conv2DTranspose(
            x, self.kernel, self.bias, strides=list(self.strides), padding=self.padding,
            dilations=list(self.dilation_rate), activation=fused,
        ))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "output_padding": self.output_padding,
            "kernel_initializer": initializers.name_of(self.kernel_initializer),
        }
