"""Preprocessing inside the model, so it exports with it: Rescaling (``x * scale + offset``) and
Normalization (``(x - mean) / sqrt(variance)``, with ``adapt`` to learn the statistics from data), with
Keras's arguments and rules.

>>> import numpy as np, webgrad as wg
>>> norm = wg.layers.Normalization()
>>> norm.adapt(np.float32([[1, 10], [3, 30]]))
>>> norm(np.float32([[2, 20]])).numpy()
array([[0., 0.]], dtype=float32)
>>> wg.layers.Rescaling(1 / 255)(np.uint8([[0, 255]])).numpy()
array([[0., 1.]], dtype=float32)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import numpy as np

from webgrad import raw_ops as ops
from webgrad.layers.base import Layer
from webgrad.tensor import Tensor

#: Keras's ``backend.epsilon()``: the smallest standard deviation Normalization divides by
EPSILON = np.float32(1e-7)


def _as_float(x: Any) -> Any:
    return x if str(x.dtype) == "float32" else ops.Cast(x, to="float32")


def _int_zeros(shape: tuple, dtype: Any = None) -> np.ndarray:
    """Zeros for an integer weight (webgrad's named initializers make float weights)."""
    return np.zeros(shape, np.int32)


def _config_value(v: Any) -> Any:
    """A number or nested list (a config must hold plain JSON values)."""
    return None if v is None else np.asarray(v).tolist()


class Rescaling(Layer):
    """``x * scale + offset`` (inputs cast to float32); ``scale``/``offset`` may be per-channel arrays."""

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self._scale = np.asarray(scale, np.float32)
        self._offset = np.asarray(offset, np.float32)

    def call(self, x: Any, training: bool = False) -> Any:
        return ops.Add(ops.Mul(_as_float(x), self._scale), self._offset)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": _config_value(self.scale), "offset": _config_value(self.offset)}


def _batches(data: Any) -> tuple[tuple[int, ...], Iterable[np.ndarray]]:
    """The first batch's shape and all batches of ``data`` (an array, a Tensor, or an iterable of
    batches; ``(x, y)`` batches give their ``x``), as Keras's ``adapt`` takes them."""
    if isinstance(data, np.ndarray | Tensor):
        a = np.asarray(data, np.float32)
        return a.shape, [a]
    if not hasattr(data, "__iter__"):
        raise TypeError(f"Normalization.adapt expects an array or an iterable of batches, got {type(data).__name__}")
    it = iter(data)
    first = next(it, None)
    if first is None:
        raise ValueError("Normalization.adapt got an empty iterable (no batches); expected at least one batch")

    def x_of(b: Any) -> np.ndarray:
        return np.asarray(b[0] if isinstance(b, tuple | list) else b, np.float32)

    first_x = x_of(first)
    return first_x.shape, (x_of(b) for b in itertools.chain([first], it))


class Normalization(Layer):
    """``(x - mean) / max(sqrt(variance), 1e-7)``, with one mean and variance per position of the
    ``axis`` axes (``axis=None``: one for everything). Give ``mean`` and ``variance``, or call
    ``adapt(data)`` before use; ``invert=True`` maps normalized values back.
    """

    def __init__(self, axis: int | tuple | list | None = -1, mean: Any = None, variance: Any = None,
                 invert: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.axis = () if axis is None else (int(axis),) if isinstance(axis, int | np.integer) else \
            tuple(int(a) for a in axis)
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization needs both mean and variance, or neither; got mean={mean!r}, "
                             f"variance={variance!r}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(f"Normalization mean and variance must have the same shape, got "
                                 f"{np.shape(mean)} and {np.shape(variance)}")
            if np.ndim(mean) > len(self.axis):
                raise ValueError(f"Normalization mean has rank {np.ndim(mean)}, more than the {len(self.axis)} "
                                 f"axes in axis={self.axis}")
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)

    def build(self, input_shape: tuple) -> None:
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise ValueError(f"Normalization axis {self.axis} out of range for {ndim}-D input {input_shape}")
        self._keep = sorted(a % ndim for a in self.axis)
        if any(input_shape[a] is None for a in self._keep):
            raise ValueError(f"Normalization needs known sizes on axis {self.axis}, got input shape {input_shape}")
        self._reduce = tuple(a for a in range(ndim) if a not in self._keep)
        self._broadcast = [input_shape[a] if a in self._keep else 1 for a in range(ndim)]
        stat_shape = tuple(input_shape[a] for a in self._keep)
        self._stat_shape = stat_shape
        if self.input_mean is None:
            # Keras's three weights, in its order (``count`` is kept for weight compatibility only)
            self.adapt_mean = self.add_weight("mean", stat_shape, "zeros", trainable=False)
            self.adapt_variance = self.add_weight("variance", stat_shape, "ones", trainable=False)
            self.count = self.add_weight(shape=(), initializer=_int_zeros, dtype="int32", trainable=False, name="count")
            self._constants = None
        else:
            # given statistics broadcast from the trailing kept axes, as in Keras
            expanded = [1] * ndim
            m = np.asarray(self.input_mean, np.float32)
            for i in range(1, m.ndim + 1):
                expanded[self._keep[-i]] = m.shape[-i]
            mean = np.broadcast_to(m.reshape(expanded), self._broadcast)
            var = np.broadcast_to(np.asarray(self.input_variance, np.float32).reshape(expanded), self._broadcast)
            self._constants = (np.ascontiguousarray(mean), np.maximum(np.sqrt(var), EPSILON))

    def adapt(self, data: Any) -> None:
        """Sets the mean and variance from ``data`` (an array, or an iterable of batches, combined
        batch by batch as Keras does)."""
        shape, batches = _batches(data)
        if not self.built:
            self._ensure_built(np.zeros((1, *shape[1:]), np.float32) if len(shape) else np.zeros(()))
        elif self._constants is not None:
            raise ValueError("Normalization with mean and variance given cannot adapt")
        total_mean = np.zeros(self._stat_shape, np.float64)
        total_var = np.zeros(self._stat_shape, np.float64)
        total = 0
        for batch in batches:
            for a in self._keep:
                if batch.shape[a] != self._broadcast[a]:
                    raise ValueError(f"Normalization.adapt got a batch of shape {batch.shape}; axis {a} must be "
                                     f"{self._broadcast[a]}")
            b = batch.astype(np.float64)
            b_mean, b_var = b.mean(axis=self._reduce), b.var(axis=self._reduce)
            n = int(np.prod([batch.shape[a] for a in self._reduce])) if self._reduce else 1
            total += n
            w = n / total
            new_mean = total_mean * (1 - w) + b_mean * w
            total_var = (total_var + (total_mean - new_mean) ** 2) * (1 - w) + (b_var + (b_mean - new_mean) ** 2) * w
            total_mean = new_mean
        self.adapt_mean.assign(total_mean.astype(np.float32))
        self.adapt_variance.assign(total_var.astype(np.float32))

    def _statistics(self) -> tuple[Any, Any]:
        """``mean`` and ``max(sqrt(variance), eps)``, broadcastable against the input."""
        if self._constants is not None:
            return self._constants
        mean = ops.Reshape(self.adapt_mean, shape=self._broadcast)
        std = ops.Maximum(ops.Sqrt(ops.Reshape(self.adapt_variance, shape=self._broadcast)), EPSILON)
        return mean, std

    def call(self, x: Any, training: bool = False) -> Any:
        mean, std = self._statistics()
        x = _as_float(x)
        if self.invert:
            return ops.Add(ops.Mul(x, std), mean)
        return ops.Div(ops.Sub(x, mean), std)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": list(self.axis), "invert": self.invert,
                "mean": _config_value(self.input_mean), "variance": _config_value(self.input_variance)}
