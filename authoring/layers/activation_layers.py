"""Activation layers with arguments, as Keras has them: ReLU, LeakyReLU, Softmax, ELU, PReLU.

>>> import numpy as np, webgrad as wg
>>> x = np.float32([-2, -0.5, 0.5, 3, 8])
>>> wg.layers.ReLU(max_value=6.0, negative_slope=0.1)(x).numpy()
array([-0.2 , -0.05,  0.5 ,  3.  ,  6.  ], dtype=float32)
>>> wg.layers.LeakyReLU()(x).numpy()
array([-0.6 , -0.15,  0.5 ,  3.  ,  8.  ], dtype=float32)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad import initializers, regularizers
from webgrad import raw_ops as ops
from webgrad.layers.base import Layer
from webgrad.layers.core import _no_constraint, _regularizer_config


def _non_negative(layer: str, name: str, value: Any) -> float:
    if value is None or float(value) < 0:
        raise ValueError(f"{layer} {name} must be a non-negative number, got {value!r}")
    return float(value)


class ReLU(Layer):
    """``min(max(x, 0), max_value)`` for ``x >= 0`` and ``negative_slope * x`` below (Keras's ``ReLU``).

    ``threshold`` other than 0 needs a comparison op the op set lacks, so it is not supported yet.
    """

    supports_masking = True  # elementwise (Softmax: along the features), as in Keras

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0, threshold: float = 0.0,
                 **kwargs: Any):
        super().__init__(**kwargs)
        self.max_value = None if max_value is None else _non_negative("ReLU", "max_value", max_value)
        self.negative_slope = _non_negative("ReLU", "negative_slope", negative_slope)
        self.threshold = _non_negative("ReLU", "threshold", threshold)
        if self.threshold != 0:
            raise NotImplementedError("ReLU threshold other than 0 is not supported yet (the op set has no "
                                      "comparison op to select x > threshold)")

    def call(self, x: Any, training: bool = False) -> Any:
        if self.max_value is None and self.negative_slope != 0:
            return ops.LeakyRelu(x, alpha=self.negative_slope)
        y = ops.Relu6(x) if self.max_value == 6 else ops.Relu(x)
        if self.max_value is not None and self.max_value != 6:
            y = ops.Minimum(y, np.float32(self.max_value))
        if self.negative_slope != 0:
            # the negative part, as Keras computes it: - slope * relu(-x)
            y = ops.Sub(y, ops.Mul(ops.Relu(ops.Mul(x, np.float32(-1))), np.float32(self.negative_slope)))
        return y

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}


class LeakyReLU(Layer):
    """``x`` for ``x >= 0``, ``negative_slope * x`` below (Keras's default slope is 0.3)."""

    supports_masking = True  # elementwise (Softmax: along the features), as in Keras

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any):
        super().__init__(**kwargs)
        self.negative_slope = _non_negative("LeakyReLU", "negative_slope", negative_slope)

    def call(self, x: Any, training: bool = False) -> Any:
        return ops.LeakyRelu(x, alpha=self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class Softmax(Layer):
    """Softmax along ``axis``, or jointly over several axes (a tuple, as in Keras).

    >>> import numpy as np, webgrad as wg
    >>> wg.layers.Softmax(axis=0)(np.zeros((2, 1), np.float32)).numpy().ravel().tolist()
    [0.5, 0.5]
    >>> wg.layers.Softmax(axis=(1, 2))(np.zeros((1, 2, 2), np.float32)).numpy().ravel().tolist()
    [0.25, 0.25, 0.25, 0.25]
    """

    supports_masking = True  # elementwise (Softmax: along the features), as in Keras

    def __init__(self, axis: int | list | tuple = -1, **kwargs: Any):
        super().__init__(**kwargs)
        self.axis: int | tuple[int, ...] = tuple(int(a) for a in axis) if isinstance(axis, list | tuple) \
            else int(axis)

    def call(self, x: Any, training: bool = False) -> Any:
        axes = self.axis if isinstance(self.axis, tuple) else (self.axis,)
        if len(axes) == 1:
            return ops.Softmax(x, axis=axes[0])
        # exp(x - max) / sum(exp(x - max)) over all the axes at once
        shifted = ops.Sub(x, ops.ReduceMax(x, axes=list(axes), keepdims=True))
        e = ops.Exp(shifted)
        return ops.Div(e, ops.ReduceSum(e, axes=list(axes), keepdims=True))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": list(self.axis) if isinstance(self.axis, tuple) else self.axis}


class ELU(Layer):
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise."""

    supports_masking = True  # elementwise (Softmax: along the features), as in Keras

    def __init__(self, alpha: float = 1.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, x: Any, training: bool = False) -> Any:
        # relu(x) + alpha * (exp(min(x, 0)) - 1): the second term is 0 for x > 0, so no select is needed
        negative = ops.Sub(ops.Exp(ops.Minimum(x, np.float32(0))), np.float32(1))
        return ops.Add(ops.Relu(x), ops.Mul(negative, np.float32(self.alpha)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(Layer):
    """Leaky ReLU with a learned slope ``alpha`` per input position (``shared_axes`` share one slope
    along those axes, e.g. ``[1, 2]`` for one slope per channel of an image)."""

    supports_masking = True  # elementwise (Softmax: along the features), as in Keras

    def __init__(self, alpha_initializer: Any = "zeros", alpha_regularizer: Any = None, alpha_constraint: Any = None,
                 shared_axes: int | list | tuple | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        _no_constraint(self, alpha_constraint=alpha_constraint)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        if shared_axes is None:
            self.shared_axes = None
        else:
            self.shared_axes = [int(a) for a in (shared_axes if isinstance(shared_axes, list | tuple)
                                                 else [shared_axes])]

    def build(self, input_shape: tuple) -> None:
        shape = list(input_shape[1:])
        for a in self.shared_axes or []:
            if not 1 <= a < len(input_shape):
                raise ValueError(f"PReLU shared_axes entries must be in [1, {len(input_shape)}), got {a}")
            shape[a - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(f"PReLU needs known non-shared dimensions, got input shape {input_shape}")
        self.alpha = self.add_weight(shape=tuple(shape), initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer, name="alpha")

    def call(self, x: Any, training: bool = False) -> Any:
        negative = ops.Relu(ops.Mul(x, np.float32(-1)))
        return ops.Sub(ops.Relu(x), ops.Mul(self.alpha, negative))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha_initializer": initializers.name_of(self.alpha_initializer),
                "shared_axes": self.shared_axes, **_regularizer_config(alpha_regularizer=self.alpha_regularizer)}
