"""Weight and activity regularizers, as in ``keras.regularizers``: ``L1``, ``L2``, ``L1L2`` (and their
aliases ``l1``, ``l2``, ``l1_l2``), ``get``, ``serialize``, ``deserialize``.

A regularizer maps a tensor to a scalar penalty, computed with op-set ops so its gradient flows to
the weight: ``Dense(4, kernel_regularizer=L2(0.01))`` adds ``0.01 * sum(kernel ** 2)`` to
``layer.losses``, which ``fit`` adds to the loss it minimizes.

>>> import numpy as np
>>> round(float(L1L2(l1=0.1, l2=0.5)(np.float32([1, -2])).numpy()), 5)
2.8
>>> get("l2").get_config(), serialize(L1(0.3))
({'l2': 0.01}, {'class_name': 'L1', 'config': {'l1': 0.3}})
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from webgrad import keras_names, serialization
from webgrad import raw_ops as ops

__all__ = ["L1", "L1L2", "L2", "Regularizer", "deserialize", "get", "l1", "l1_l2", "l2", "serialize"]


def _factor(value: Any, name: str, cls: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{cls}: {name} must be a number, got {value!r}") from None
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"{cls}: {name} must be a finite number >= 0, got {value!r}")
    return v


def _abs(x: Any) -> Any:
    # |x| = max(x, -x): the op set has no Abs
    return ops.Maximum(x, ops.Sub(np.float32(0), x))


def _sum(x: Any) -> Any:
    return ops.ReduceSum(x, axes=None, keepdims=False)


class Regularizer:
    """Base class: ``__call__(x)`` returns a scalar penalty; ``get_config``/``from_config`` save it."""

    def __call__(self, x: Any) -> Any:
        return np.float32(0)

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement get_config() to be saved")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        return cls(**config)

    def __repr__(self) -> str:
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        except NotImplementedError:
            args = ""
        return f"{type(self).__name__}({args})"


class L1(Regularizer):
    """``l1 * sum(|x|)``."""

    def __init__(self, l1: float = 0.01):
        self.l1 = _factor(l1, "l1", "L1")

    def __call__(self, x: Any) -> Any:
        return ops.Mul(np.float32(self.l1), _sum(_abs(x)))

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x ** 2)``."""

    def __init__(self, l2: float = 0.01):
        self.l2 = _factor(l2, "l2", "L2")

    def __call__(self, x: Any) -> Any:
        return ops.Mul(np.float32(self.l2), _sum(ops.Mul(x, x)))

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x ** 2)`` (both default to 0, as in Keras)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _factor(l1, "l1", "L1L2")
        self.l2 = _factor(l2, "l2", "L1L2")

    def __call__(self, x: Any) -> Any:
        total: Any = None
        if self.l1:
            total = L1(self.l1)(x)
        if self.l2:
            term = L2(self.l2)(x)
            total = term if total is None else ops.Add(total, term)
        return np.float32(0) if total is None else total

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


l1 = L1
l2 = L2
l1_l2 = L1L2

_BUILT_IN: dict[str, type[Regularizer]] = {
    "L1": L1, "L2": L2, "L1L2": L1L2, "l1": L1, "l2": L2, "l1_l2": L1L2,
}
_NOT_YET = {"OrthogonalRegularizer", "orthogonal_regularizer"}


def serialize(regularizer: Regularizer | None) -> Any:
    """The config dict of a regularizer (``{"class_name", "config"}``); None stays None."""
    return serialization.serialize_keras_object(regularizer)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Regularizer:
    """The regularizer of ``serialize``'s output (custom ones: registered or in ``custom_objects``)."""
    return serialization.deserialize_keras_object(config, custom_objects, _BUILT_IN)


def get(identifier: Any) -> Any:
    """A regularizer from a name (``"l2"``), a config dict, an instance or a callable; None for None.

    >>> get("l1_l2").get_config()
    {'l1': 0.0, 'l2': 0.0}
    """
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        if identifier in _NOT_YET:
            raise NotImplementedError(f"regularizer {identifier!r} is not supported yet; use L1, L2 or L1L2")
        if identifier not in _BUILT_IN:
            raise ValueError(f"unknown regularizer {identifier!r}; valid: {', '.join(sorted(_BUILT_IN))}")
        return _BUILT_IN[identifier]()
    if isinstance(identifier, dict):
        if identifier.get("class_name") in _NOT_YET:
            raise NotImplementedError(f"regularizer {identifier['class_name']!r} is not supported yet")
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"could not interpret regularizer {identifier!r}: expected a name, a config dict, "
                     "a Regularizer or a callable")


def __getattr__(name: str) -> Any:  # Keras names webgrad lacks: NotImplementedError
    raise keras_names.unsupported("regularizers", name)
