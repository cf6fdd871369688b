"""Keras's ``keras.activations``: the activation functions by name, and ``get``/``serialize``/``deserialize``.

Each function computes with op-set ops (through ``webgrad.ops``), so a layer's ``activation=`` may be a
name (``"relu"``), one of these functions (``wg.activations.relu``) or any callable of a tensor.
``FUSABLE`` are the names MatMul and Conv2D take as their fused ``activation`` attribute.

>>> import numpy as np
>>> get("relu")(np.array([-1.0, 1.0], np.float32)).numpy()
array([0., 1.], dtype=float32)
>>> relu(np.array([-1.0, 1.0, 9.0]), negative_slope=0.5, max_value=6.0).numpy()
array([-0.5,  1. ,  6. ], dtype=float32)
>>> serialize(get("swish")), get(None) is linear
('silu', True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np  # noqa: F401 (the docstring examples use it)

from webgrad import keras_names
from webgrad import ops as kops

FUSABLE = {"linear": "none", "relu": "relu", "relu6": "relu6", "leaky_relu": "leaky_relu",
           "sigmoid": "sigmoid", "tanh": "tanh", "gelu": "gelu"}


def relu(x: Any, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0) -> Any:
    """``max(x, 0)``; with ``negative_slope``, ``max_value`` as ``keras.activations.relu`` (a leaky
    slope below zero, a cap above). ``threshold`` other than 0 is not supported yet (a step).

    >>> relu(np.array([-2.0, 3.0]), max_value=1.0).numpy()
    array([0., 1.], dtype=float32)
    """
    if threshold != 0:
        raise NotImplementedError("wg.activations.relu(threshold != 0) is not supported yet: the op set has "
                                  "no step function")
    x = kops.convert_to_tensor(x)
    if negative_slope != 0 and max_value is None:
        return kops.leaky_relu(x, negative_slope)
    y = kops.relu6(x) if max_value == 6 else kops.relu(x)
    if max_value is not None and max_value != 6:
        y = kops.minimum(y, float(max_value))
    return y if negative_slope == 0 else y - kops.relu(kops.negative(x)) * float(negative_slope)


def relu6(x: Any) -> Any:
    """``min(max(x, 0), 6)``, as ``keras.activations.relu6``.

    >>> relu6(np.array([7.0])).numpy()
    array([6.], dtype=float32)
    """
    return kops.relu6(x)


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Any:
    """``x`` above zero, ``negative_slope * x`` below, as ``keras.activations.leaky_relu``.

    >>> leaky_relu(np.array([-1.0])).numpy()
    array([-0.2], dtype=float32)
    """
    return kops.leaky_relu(x, negative_slope)


def gelu(x: Any, approximate: bool = False) -> Any:
    """The Gaussian error linear unit (exact by default, as ``keras.activations.gelu``).

    >>> gelu(np.array([0.0])).numpy()
    array([0.], dtype=float32)
    """
    return kops.gelu(x, approximate)


def sigmoid(x: Any) -> Any:
    """``1 / (1 + exp(-x))``, as ``keras.activations.sigmoid``.

    >>> sigmoid(np.array([0.0])).numpy()
    array([0.5], dtype=float32)
    """
    return kops.sigmoid(x)


def tanh(x: Any) -> Any:
    """The hyperbolic tangent, as ``keras.activations.tanh``.

    >>> tanh(np.array([0.0])).numpy()
    array([0.], dtype=float32)
    """
    return kops.tanh(x)


def softmax(x: Any, axis: int = -1) -> Any:
    """``exp(x) / sum(exp(x))`` along ``axis``, as ``keras.activations.softmax``.

    >>> softmax(np.array([1.0, 1.0])).numpy()
    array([0.5, 0.5], dtype=float32)
    """
    return kops.softmax(x, axis)


def log_softmax(x: Any, axis: int = -1) -> Any:
    """``log(softmax(x))`` along ``axis``, as ``keras.activations.log_softmax``.

    >>> log_softmax(np.array([1.0, 1.0])).numpy()
    array([-0.6931472, -0.6931472], dtype=float32)
    """
    return kops.log_softmax(x, axis)


def linear(x: Any) -> Any:
    """``x`` unchanged, as ``keras.activations.linear``.

    >>> linear(3)
    3
    """
    return x


def exponential(x: Any) -> Any:
    """``exp(x)``, as ``keras.activations.exponential``.

    >>> exponential(np.array([0.0])).numpy()
    array([1.], dtype=float32)
    """
    return kops.exp(x)


def elu(x: Any, alpha: float = 1.0) -> Any:
    """``x`` above zero, ``alpha * (exp(x) - 1)`` below, as ``keras.activations.elu``.

    >>> elu(np.array([1.0])).numpy()
    array([1.], dtype=float32)
    """
    return kops.elu(x, alpha)


def selu(x: Any) -> Any:
    """The scaled ELU, as ``keras.activations.selu``.

    >>> selu(np.array([0.0])).numpy()
    array([0.], dtype=float32)
    """
    return kops.selu(x)


def celu(x: Any, alpha: float = 1.0) -> Any:
    """The continuously differentiable ELU, as ``keras.activations.celu``.

    >>> celu(np.array([1.0])).numpy()
    array([1.], dtype=float32)
    """
    return kops.celu(x, alpha)


def softplus(x: Any) -> Any:
    """``log(exp(x) + 1)``, as ``keras.activations.softplus``.

    >>> softplus(np.array([0.0])).numpy()
    array([0.6931472], dtype=float32)
    """
    return kops.softplus(x)


def softsign(x: Any) -> Any:
    """``x / (|x| + 1)``, as ``keras.activations.softsign``.

    >>> softsign(np.array([1.0])).numpy()
    array([0.5], dtype=float32)
    """
    return kops.softsign(x)


def silu(x: Any) -> Any:
    """``x * sigmoid(x)`` (also ``swish``), as ``keras.activations.silu``.

    >>> silu(np.array([0.0])).numpy()
    array([0.], dtype=float32)
    """
    return kops.silu(x)


def hard_sigmoid(x: Any) -> Any:
    """``relu6(x + 3) / 6``, as ``keras.activations.hard_sigmoid``.

    >>> hard_sigmoid(np.array([0.0])).numpy()
    array([0.5], dtype=float32)
    """
    return kops.hard_sigmoid(x)


def hard_silu(x: Any) -> Any:
    """``x * hard_sigmoid(x)`` (also ``hard_swish``), as ``keras.activations.hard_silu``.

    >>> hard_silu(np.array([3.0])).numpy()
    array([3.], dtype=float32)
    """
    return kops.hard_silu(x)


def hard_tanh(x: Any) -> Any:
    """``clip(x, -1, 1)``, as ``keras.activations.hard_tanh``.

    >>> hard_tanh(np.array([2.0])).numpy()
    array([1.], dtype=float32)
    """
    return kops.hard_tanh(x)


def log_sigmoid(x: Any) -> Any:
    """``log(sigmoid(x))``, as ``keras.activations.log_sigmoid``.

    >>> log_sigmoid(np.array([0.0])).numpy()
    array([-0.6931472], dtype=float32)
    """
    return kops.log_sigmoid(x)


def mish(x: Any) -> Any:
    """``x * tanh(softplus(x))``, as ``keras.activations.mish``.

    >>> mish(np.array([0.0])).numpy()
    array([0.], dtype=float32)
    """
    return kops.multiply(x, kops.tanh(kops.softplus(x)))


def squareplus(x: Any, b: float = 4) -> Any:
    """``(x + sqrt(x**2 + b)) / 2``, as ``keras.activations.squareplus``.

    >>> squareplus(np.array([0.0])).numpy()
    array([1.], dtype=float32)
    """
    return kops.squareplus(x, b)


def tanh_shrink(x: Any) -> Any:
    """``x - tanh(x)``, as ``keras.activations.tanh_shrink``.

    >>> tanh_shrink(np.array([0.0])).numpy()
    array([0.], dtype=float32)
    """
    return kops.tanh_shrink(x)


def soft_shrink(x: Any, threshold: float = 0.5) -> Any:
    """``x`` moved ``threshold`` toward 0, and 0 within it, as ``keras.activations.soft_shrink``.

    >>> soft_shrink(np.array([1.0])).numpy()
    array([0.5], dtype=float32)
    """
    return kops.soft_shrink(x, threshold)


def sparse_plus(x: Any) -> Any:
    """0 below -1, ``(x + 1)**2 / 4`` between, ``x`` above 1, as ``keras.activations.sparse_plus``.

    >>> sparse_plus(np.array([0.0])).numpy()
    array([0.25], dtype=float32)
    """
    return kops.sparse_plus(x)


def sparse_sigmoid(x: Any) -> Any:
    """0 below -1, ``(x + 1) / 2`` between, 1 above 1, as ``keras.activations.sparse_sigmoid``.

    >>> sparse_sigmoid(np.array([0.0])).numpy()
    array([0.5], dtype=float32)
    """
    return kops.sparse_sigmoid(x)


def glu(x: Any, axis: int = -1) -> Any:
    """``a * sigmoid(b)`` for the two halves of ``x`` along ``axis``, as ``keras.activations.glu``.

    >>> glu(np.array([1.0, 0.0])).numpy()
    array([0.5], dtype=float32)
    """
    return kops.glu(x, axis)


swish = silu
hard_swish = hard_silu

_BY_NAME: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (celu, elu, exponential, gelu, glu, hard_sigmoid, hard_silu, hard_tanh, leaky_relu, linear,
              log_sigmoid, log_softmax, mish, relu, relu6, selu, sigmoid, silu, soft_shrink, softmax, softplus,
              softsign, sparse_plus, sparse_sigmoid, squareplus, tanh, tanh_shrink)
}
_ALIASES = {"swish": "silu", "hard_swish": "hard_silu"}
NAMES = sorted([*_BY_NAME, *_ALIASES])


def _by_name(name: str) -> Callable[..., Any]:
    key = _ALIASES.get(name, name)
    if key not in _BY_NAME:
        raise ValueError(f"unknown activation {name!r}; valid: {', '.join(NAMES)}")
    return _BY_NAME[key]


def deserialize(config: str | dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Callable[..., Any]:
    """The activation a ``serialize`` result names (a name, or Keras's ``{"class_name": "function",
    "config": name}``), looking in ``custom_objects`` first.

    >>> deserialize("relu") is relu
    True
    """
    name = config.get("config") if isinstance(config, dict) else config
    if not isinstance(name, str):
        raise ValueError(f"Could not interpret activation function identifier: {config!r}")
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return _by_name(name)


def serialize(activation: Callable[..., Any]) -> str | dict[str, Any]:
    """The name of a built-in activation; a custom function as Keras's ``{"class_name": "function", ...}``.

    >>> serialize(relu)
    'relu'
    """
    name = getattr(activation, "__name__", None)
    if name is not None and _BY_NAME.get(name) is activation:
        return name
    if name is None:
        raise ValueError(f"cannot serialize activation {activation!r}: it has no __name__")
    return {"module": getattr(activation, "__module__", None), "class_name": "function", "config": name,
            "registered_name": "function"}


def get(identifier: Any) -> Callable[..., Any]:
    """The activation for ``identifier``: ``None`` (linear), a name, a ``serialize`` dict or a callable,
    as ``keras.activations.get``.

    >>> get("tanh") is tanh, get(tanh) is tanh
    (True, True)
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str | dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")


def check(identifier: Any) -> str | Callable[..., Any]:
    """What a layer stores for ``activation=``: the canonical name of a built-in (so ``FUSABLE`` can fuse
    it into MatMul/Conv2D), or a custom callable itself; unknown names list the valid ones.

    >>> check(None), check("swish"), check(relu)
    ('linear', 'silu', 'relu')
    """
    fn = get(identifier)
    name = serialize(fn)
    return name if isinstance(name, str) else fn


def __getattr__(name: str) -> Any:  # Keras names webgrad lacks: NotImplementedError
    raise keras_names.unsupported("activations", name)
