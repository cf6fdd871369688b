"""Noise that regularizes while training and is the identity otherwise (so it vanishes at export):
SpatialDropout1D/2D (drop whole channels), GaussianNoise (add noise), GaussianDropout (multiply by
noise around 1), with Keras's rules and arguments.

>>> import numpy as np, webgrad as wg
>>> x = np.ones((2, 4, 4, 3), np.float32)
>>> layer = wg.layers.SpatialDropout2D(0.5, seed=1)
>>> bool((layer(x) == x).all())  # inference: identity
True
>>> y = layer(x, training=True)  # each channel of each example is all 0 or all 2
>>> sorted(set(np.unique(y).tolist()) - {0.0, 2.0}), bool((y.numpy().std(axis=(1, 2)) == 0).all())
([], True)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from webgrad import raw_ops as ops
from webgrad.layers._random_draws import RandomDraws
from webgrad.layers.base import Layer
from webgrad.layers.conv import channels_last_only
from webgrad.tensor import SymbolicTensor, Tensor


def _check_rate(layer: str, name: str, value: float, upper_open: bool) -> float:
    v = float(value)
    if not (0 <= v < 1 if upper_open else 0 <= v <= 1):
        bound = "[0, 1)" if upper_open else "[0, 1]"
        raise ValueError(f"{layer} {name} must be in {bound}, got {value!r}")
    return v


class _SpatialDropout(RandomDraws, Layer):
    rank = 0  # rank of the inputs

    def __init__(self, rate: float, seed: int | None = None, name: str | None = None, dtype: str = "float32",
                 **kwargs: Any):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.rate = _check_rate(type(self).__name__, "rate", rate, upper_open=True)
        self.seed = seed

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) != self.rank:
            raise ValueError(f"{type(self).__name__} expects {self.rank}-D input, got {input_shape}")

    def call(self, x: Any, training: bool = False) -> Any:
        if not training or self.rate == 0 or isinstance(x, SymbolicTensor):
            return x
        self.check_drawable(x)
        # one draw per (example, channel), broadcast over the spatial axes: whole feature maps drop
        shape = (x.shape[0], *[1] * (self.rank - 2), x.shape[-1])
        keep = self.uniform(shape) >= np.float32(self.rate)
        return ops.Mul(x, Tensor(keep.astype(np.float32) / np.float32(1 - self.rate)))

    def get_config(self) -> dict[str, Any]:
        # Keras's spatial dropouts list exactly these (no "trainable")
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of ``[N, steps, C]`` inputs while training (the rest scaled by
    ``1 / (1 - rate)``)."""

    rank = 3


class SpatialDropout2D(_SpatialDropout):
    """Drops whole feature maps of ``[N, H, W, C]`` inputs while training (the rest scaled by
    ``1 / (1 - rate)``)."""

    rank = 4

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None,
                 name: str | None = None, dtype: str = "float32", **kwargs: Any):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.data_format = channels_last_only("SpatialDropout2D", data_format)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}


class GaussianNoise(RandomDraws, Layer):
    """Adds zero-mean Gaussian noise of ``stddev`` while training.

    >>> import numpy as np, webgrad as wg
    >>> y = wg.layers.GaussianNoise(0.1, seed=0)(np.zeros((1000,), np.float32), training=True)
    >>> 0.09 < float(y.numpy().std()) < 0.11
    True
    """

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.stddev = _check_rate("GaussianNoise", "stddev", stddev, upper_open=False)
        self.seed = seed

    def call(self, x: Any, training: bool = False) -> Any:
        if not training or self.stddev == 0 or isinstance(x, SymbolicTensor):
            return x
        self.check_drawable(x)
        return ops.Add(x, Tensor(self.normal(tuple(x.shape)) * np.float32(self.stddev)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(RandomDraws, Layer):
    """Multiplies by Gaussian noise of mean 1 and stddev ``sqrt(rate / (1 - rate))`` while training.

    >>> import numpy as np, webgrad as wg
    >>> y = wg.layers.GaussianDropout(0.2, seed=0)(np.ones((4000,), np.float32), training=True)
    >>> abs(float(y.numpy().mean()) - 1) < 0.05, abs(float(y.numpy().std()) - 0.5) < 0.05
    (True, True)
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.rate = _check_rate("GaussianDropout", "rate", rate, upper_open=True)
        self.seed = seed

    def call(self, x: Any, training: bool = False) -> Any:
        if not training or self.rate == 0 or isinstance(x, SymbolicTensor):
            return x
        self.check_drawable(x)
        stddev = np.float32(math.sqrt(self.rate / (1.0 - self.rate)))
        return ops.Mul(x, Tensor(self.normal(tuple(x.shape)) * stddev + np.float32(1)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
