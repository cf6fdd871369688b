"""BatchNormalization and LayerNormalization (over the last axis)."""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad import raw_ops as ops
from webgrad.layers.base import Layer
from webgrad.tensor import SymbolicTensor


class _Normalization(Layer):
    """Shared by both: a learned scale ``gamma`` and shift ``beta`` over the last axis."""

    def __init__(self, epsilon: float = 1e-3, center: bool = True, scale: bool = True, **kwargs: Any):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale

    def build(self, input_shape: tuple) -> None:
        c = input_shape[-1]
        if c is None:
            raise ValueError(f"{type(self).__name__} needs a known last dimension, got {input_shape}")
        self.gamma = self.add_weight("gamma", (c,), "ones", trainable=self.scale)
        self.beta = self.add_weight("beta", (c,), "zeros", trainable=self.center)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "epsilon": self.epsilon, "center": self.center, "scale": self.scale}


class BatchNormalization(_Normalization):
    """Normalizes by batch statistics while training (updating moving averages) and by the moving
    averages otherwise, where it is the op-set ``BatchNorm``.
    """

    def __init__(self, momentum: float = 0.99, **kwargs: Any):
        super().__init__(**kwargs)
        self.momentum = float(momentum)

    def build(self, input_shape: tuple) -> None:
        super().build(input_shape)
        c = input_shape[-1]
        self.moving_mean = self.add_weight("moving_mean", (c,), "zeros", trainable=False)
        self.moving_variance = self.add_weight("moving_variance", (c,), "ones", trainable=False)

    def call(self, x: Any, training: bool = False) -> Any:
        # a frozen BatchNormalization runs in inference mode even while training, as in Keras 3
        if not training or not self.trainable or isinstance(x, SymbolicTensor):
            return ops.BatchNorm(x, self.gamma, self.beta, self.moving_mean, self.moving_variance,
                                 epsilon=self.epsilon)
        axes = list(range(len(x.shape) - 1))
        mean = ops.ReduceMean(x, axes=axes, keepdims=True)
        centered = x - mean
        var = ops.ReduceMean(centered * centered, axes=axes, keepdims=True)
        y = centered / ops.Sqrt(var + np.float32(self.epsilon)) * self.gamma + self.beta
        m = np.float32(self.momentum)
        batch_var = var.data.reshape(-1)  # the biased batch variance, as Keras 3's moving variance tracks
        self.moving_mean.data = m * self.moving_mean.data + (1 - m) * mean.data.reshape(-1)
        self.moving_variance.data = m * self.moving_variance.data + (1 - m) * batch_var
        return y

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum}


class LayerNormalization(_Normalization):
    """Normalizes each example over the last axis, then scales by ``gamma`` and shifts by ``beta``
    (a sequence's mask passes through, as in Keras)."""

    supports_masking = True

    def call(self, x: Any, training: bool = False) -> Any:
        return ops.LayerNorm(x, self.gamma, self.beta, axis=-1, epsilon=self.epsilon)
