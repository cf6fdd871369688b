"""Losses, written in op-set ops so they differentiate (and later lower to JAX) like any layer.

As in Keras, ``loss.call(y_true, y_pred)`` is the per-example loss vector ``[batch]`` and
``loss(y_true, y_pred, sample_weight=None)`` the batch loss: the mean over the batch of the
per-example losses times their weights (Keras's ``sum_over_batch_size``). Training uses the
per-example form (``per_example``: DP-SGD clips it per example; sample and class weights scale it).

When predictions come straight out of a Softmax (or Sigmoid) op and the loss is not ``from_logits``, the
loss reads the logits that op was given, like Keras: the same value, but stable. Labels may be numpy or
JAX arrays (the jax backend calls the same losses inside its jitted step); what is derived from them
enters the ops as a ``Tensor``.

>>> import numpy as np
>>> loss = get("sparse_categorical_crossentropy")
>>> p = np.array([[0.9, 0.1], [0.2, 0.8]], np.float32)
>>> np.round(loss.call(np.array([0, 1]), p).numpy(), 4)
array([0.1054, 0.2231], dtype=float32)
>>> round(float(loss(np.array([0, 1]), p).numpy()), 4)
0.1643
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from webgrad import keras_names
from webgrad import raw_ops as ops
from webgrad.backends import array_namespace
from webgrad.tensor import SymbolicTensor, Tensor

EPSILON = np.float32(1e-7)


def _producer_input(y_pred: Any, op: str) -> Any:
    node = getattr(y_pred, "node", None)
    if node is not None and node.impl.name == op and node.attrs.get("axis", -1) in (-1, len(y_pred.shape) - 1):
        return node.inputs[0]
    return None


def _log_probs(y_pred: Any, from_logits: bool) -> Any:
    if from_logits:
        return ops.LogSoftmax(y_pred, axis=-1)
    logits = _producer_input(y_pred, "Softmax")
    if logits is not None:
        return ops.LogSoftmax(logits, axis=-1)
    return ops.Log(ops.Minimum(ops.Maximum(y_pred, EPSILON), np.float32(1) - EPSILON))


def _float_labels(y_true: Any) -> Any:
    xp = array_namespace(y_true)
    return xp.asarray(y_true).astype(np.float32)


def _label_tensor(y_true: Any, shape: tuple | None = None) -> Any:
    """Labels as a float32 Tensor (reshaped to ``shape`` when given). Symbolic labels pass through as
    they are: a trainable export captures the loss on a float32 labels input of the right shape
    (``webgrad.loss_tracing``), so the captured graph is these very ops."""
    if isinstance(y_true, SymbolicTensor):
        return y_true
    labels = _float_labels(y_true)
    return Tensor(labels if shape is None else labels.reshape(shape))


class Loss:
    """Base: ``call(y_true, y_pred)`` gives the per-example losses ``[batch]``; calling the loss gives
    the batch loss, as Keras's losses do."""

    name = "loss"

    def __init__(self, from_logits: bool = False):
        self.from_logits = from_logits

    def call(self, y_true: Any, y_pred: Any) -> Any:
        """The per-example losses ``[batch]``."""
        raise NotImplementedError

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """The batch loss: the mean over the batch of ``call(y_true, y_pred) * sample_weight``."""
        per = self.call(y_true, y_pred)
        if sample_weight is not None:
            per = per * Tensor(np.asarray(sample_weight, np.float32).reshape(-1))
        return ops.ReduceMean(per)

    def check_labels(self, y_true: np.ndarray, output_shape: tuple) -> None:
        """Raises ValueError for labels this loss cannot take (before training starts)."""

    def get_config(self) -> dict[str, Any]:
        return {"from_logits": self.from_logits}


class SparseCategoricalCrossentropy(Loss):
    """Cross-entropy against integer class labels ``[batch]`` (or ``[batch, 1]``)."""

    name = "sparse_categorical_crossentropy"

    def call(self, y_true: np.ndarray, y_pred: Any) -> Any:
        xp = array_namespace(y_true)
        labels = xp.asarray(y_true).reshape(-1, 1)
        onehot = (labels == xp.arange(y_pred.shape[-1])).astype(np.float32)
        return -ops.ReduceSum(ops.Mul(Tensor(onehot), _log_probs(y_pred, self.from_logits)), axes=[-1])

    def check_labels(self, y_true: np.ndarray, output_shape: tuple) -> None:
        y = np.asarray(y_true)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(f"{self.name} needs integer labels of shape [batch], got shape {y.shape}"
                             " (one-hot labels go with categorical_crossentropy)")
        if not np.issubdtype(y.dtype, np.integer) and not np.all(np.mod(y, 1) == 0):
            raise ValueError(f"{self.name} needs integer labels, got non-integer values of dtype {y.dtype}")
        n = output_shape[-1]
        bad = np.flatnonzero((y < 0) | (y >= n))
        if bad.size:
            raise ValueError(f"labels must be in [0, {n}) for a model with {n} outputs; "
                             f"found {y[bad[0]]} at index {bad[0]} ({bad.size} out of range in all)")


class CategoricalCrossentropy(Loss):
    """Cross-entropy against one-hot (or soft) labels ``[batch, classes]``."""

    name = "categorical_crossentropy"

    def call(self, y_true: np.ndarray, y_pred: Any) -> Any:
        target = _label_tensor(y_true)
        return -ops.ReduceSum(ops.Mul(target, _log_probs(y_pred, self.from_logits)), axes=[-1])

    def check_labels(self, y_true: np.ndarray, output_shape: tuple) -> None:
        y = np.asarray(y_true)
        if y.ndim != 2 or y.shape[1] != output_shape[-1]:
            raise ValueError(f"{self.name} needs labels of shape [batch, {output_shape[-1]}], got {y.shape}"
                             " (integer labels go with sparse_categorical_crossentropy)")


class BinaryCrossentropy(Loss):
    """Cross-entropy of independent yes/no outputs, averaged over the last axis."""

    name = "binary_crossentropy"

    def call(self, y_true: np.ndarray, y_pred: Any) -> Any:
        target = _label_tensor(y_true, y_pred.shape)
        logits = y_pred if self.from_logits else _producer_input(y_pred, "Sigmoid")
        if logits is not None:
            # max(z, 0) - z * y + log(1 + exp(-|z|)), stable for any z
            abs_z = ops.Relu(logits) + ops.Relu(-logits)
            per = ops.Relu(logits) - logits * target + ops.Log(np.float32(1) + ops.Exp(-abs_z))
        else:
            p = ops.Minimum(ops.Maximum(y_pred, EPSILON), np.float32(1) - EPSILON)
            per = -(target * ops.Log(p) + (np.float32(1) - target) * ops.Log(np.float32(1) - p))
        return ops.ReduceMean(per, axes=[-1])

    def check_labels(self, y_true: np.ndarray, output_shape: tuple) -> None:
        y = np.asarray(y_true, np.float64)
        if np.any((y < 0) | (y > 1)):
            raise ValueError(f"{self.name} needs labels in [0, 1]")


class MeanSquaredError(Loss):
    """Mean of squared differences over the last axis."""

    name = "mean_squared_error"

    def call(self, y_true: np.ndarray, y_pred: Any) -> Any:
        d = y_pred - _label_tensor(y_true, y_pred.shape)
        return ops.ReduceMean(d * d, axes=[-1])


_ALL: dict[str, type[Loss]] = {
    c.name: c for c in (SparseCategoricalCrossentropy, CategoricalCrossentropy, BinaryCrossentropy, MeanSquaredError)
}
_ALIASES = {"mse": "mean_squared_error"}


def get(name: str | Loss | Callable) -> Loss | Callable:
    """A loss by name (or a Loss / callable as is); the error lists the valid names."""
    if isinstance(name, Loss) or callable(name):
        return name
    key = _ALIASES.get(name, name)
    if key not in _ALL:
        raise ValueError(f"unknown loss {name!r}; valid: {', '.join(sorted([*_ALL, *_ALIASES]))}")
    return _ALL[key]()


def per_example(loss: Loss | Callable, y_true: Any, y_pred: Any) -> Any:
    """The per-example losses ``[batch]`` of a webgrad ``Loss`` (its ``call``) or of a loss function
    written as Keras's are (``def my_loss(y_true, y_pred)`` returning one value per example).

    >>> import numpy as np
    >>> per_example(get("mse"), np.zeros((2, 1)), np.array([[1.0], [2.0]], np.float32)).numpy()
    array([1., 4.], dtype=float32)
    """
    return loss.call(y_true, y_pred) if isinstance(loss, Loss) else loss(y_true, y_pred)


def mean(per_example: Tensor) -> Tensor:
    """The batch loss training minimizes."""
    return ops.ReduceMean(per_example)


def __getattr__(name: str) -> Any:  # Keras names webgrad lacks: NotImplementedError
    raise keras_names.unsupported("losses", name)
