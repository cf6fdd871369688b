"""Keras's ``keras.random`` namespace: random tensors and dropout, plus webgrad's seeding.

``set_seed``/``generator``/``child`` and ``SeedGenerator`` live in ``webgrad.seeding`` (the bottom
layer, so initializers can use them); they are re-exported here. The ``seed=`` argument follows Keras
3: ``None`` draws from the process-wide generator, an ``int`` gives the same values on every call, a
``SeedGenerator`` new values on every call, the same sequence for the same starting seed. Values are
webgrad's own (numpy's generator), not Keras's: the same seed gives the same values in webgrad only.

>>> import webgrad as wg
>>> wg.set_seed(3); a = wg.random.generator().random()
>>> wg.set_seed(3); b = wg.random.generator().random()
>>> a == b
True
>>> x = normal((2, 3), seed=1)
>>> x.shape, x.dtype, bool((x.numpy() == normal((2, 3), seed=1).numpy()).all())
((2, 3), 'float32', True)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad import keras_names
from webgrad import raw_ops as ops
from webgrad.seeding import Seed, SeedGenerator, child, generator, rng_for, set_seed
from webgrad.tensor import SymbolicTensor, Tensor

__all__ = [
    "SeedGenerator", "beta", "binomial", "categorical", "child", "dropout", "gamma", "generator", "normal", "randint",
    "set_seed", "shuffle", "truncated_normal", "uniform",
]


def _float_dtype(dtype: Any, fn: str) -> np.dtype:
    d = np.dtype("float32" if dtype is None else dtype)
    if d.kind != "f":
        raise TypeError(f"wg.random.{fn}: dtype must be a float dtype, got {dtype!r}")
    return d


def _shape(shape: Sequence[int] | int) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, int | np.integer) else tuple(int(s) for s in shape)


def normal(shape: Sequence[int], mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
           seed: Seed = None) -> Tensor:
    """Samples of a normal distribution, as ``keras.random.normal``.

    >>> normal((2,), mean=5.0, stddev=0.0, seed=0).numpy()
    array([5., 5.], dtype=float32)
    """
    d = _float_dtype(dtype, "normal")
    return Tensor((rng_for(seed).standard_normal(_shape(shape)) * stddev + mean).astype(d))


def uniform(shape: Sequence[int], minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
            seed: Seed = None) -> Tensor:
    """Samples of a uniform distribution on ``[minval, maxval)``, as ``keras.random.uniform``.

    >>> bool(((u := uniform((100,), 2.0, 3.0, seed=0).numpy()) >= 2).all() and (u < 3).all())
    True
    """
    d = _float_dtype(dtype, "uniform")
    return Tensor(rng_for(seed).uniform(minval, maxval, _shape(shape)).astype(d))


def truncated_normal(shape: Sequence[int], mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: Seed = None) -> Tensor:
    """Normal samples redrawn until within two standard deviations, as ``keras.random.truncated_normal``.

    >>> bool((abs(truncated_normal((1000,), seed=0).numpy()) <= 2).all())
    True
    """
    d = _float_dtype(dtype, "truncated_normal")
    rng = rng_for(seed)
    x = rng.standard_normal(_shape(shape))
    bad = np.abs(x) > 2
    while bad.any():
        x[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(x) > 2
    return Tensor((x * stddev + mean).astype(d))


def randint(shape: Sequence[int], minval: int, maxval: int, dtype: Any = "int32", seed: Seed = None) -> Tensor:
    """Integers in ``[minval, maxval)``, as ``keras.random.randint``.

    >>> bool(((r := randint((50,), 0, 3, seed=0).numpy()) < 3).all()), r.dtype
    (True, dtype('int32'))
    """
    d = np.dtype(dtype)
    if d.kind not in "iu":
        raise TypeError(f"wg.random.randint: dtype must be an integer dtype, got {dtype!r}")
    return Tensor(rng_for(seed).integers(minval, maxval, _shape(shape)).astype(d))


def shuffle(x: Any, axis: int = 0, seed: Seed = None) -> Any:
    """``x`` with its entries along ``axis`` in a random order, as ``keras.random.shuffle`` (a Gather,
    so a ``Tensor`` keeps its gradient).

    >>> sorted(shuffle(np.arange(5, dtype=np.int32), seed=0).numpy().tolist())
    [0, 1, 2, 3, 4]
    """
    if isinstance(x, SymbolicTensor):
        raise NotImplementedError("wg.random.shuffle on a symbolic tensor is not supported yet: an exported "
                                  "graph has no random ops; shuffle eager values")
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    order = rng_for(seed).permutation(data.shape[axis]).astype(np.int32)
    return ops.Gather(x if isinstance(x, Tensor) else data, order, axis=axis)


def dropout(inputs: Any, rate: float, noise_shape: Sequence[int | None] | None = None, seed: Seed = None) -> Any:
    """Zeroes each entry with probability ``rate`` and scales the rest by ``1 / (1 - rate)``, as
    ``keras.random.dropout``; ``noise_shape`` (``None`` entries take the input's dims) shares one draw
    along the axes where it is 1. A ``Mul`` by the mask, so gradients flow through the kept entries.

    >>> y = dropout(np.ones((2, 4), np.float32), 0.5, noise_shape=(2, 1), seed=0).numpy()
    >>> sorted(set(y.ravel().tolist())) in ([0.0], [2.0], [0.0, 2.0]), bool((y == y[:, :1]).all())
    (True, True)
    """
    if not 0 <= rate < 1:
        raise ValueError(f"wg.random.dropout: rate must be in [0, 1), got {rate}")
    if isinstance(inputs, SymbolicTensor):
        raise NotImplementedError("wg.random.dropout on a symbolic tensor is not supported yet: an exported "
                                  "graph has no random ops; apply dropout only when training (eager)")
    shape = np.shape(inputs.data if isinstance(inputs, Tensor) else inputs)
    if noise_shape is None:
        mask_shape = shape
    else:
        if len(noise_shape) != len(shape):
            raise ValueError(f"wg.random.dropout: noise_shape {tuple(noise_shape)} must have the rank of the "
                             f"inputs {shape}")
        mask_shape = tuple(d if n is None else int(n) for n, d in zip(noise_shape, shape, strict=True))
    keep = 1.0 - rate
    mask = (rng_for(seed).random(mask_shape) < keep).astype(np.float32) / np.float32(keep)
    return ops.Mul(inputs, mask)


def categorical(logits: Any, num_samples: int, dtype: Any = "int32", seed: Seed = None) -> Tensor:
    """``num_samples`` class indices per row of ``logits`` (unnormalized log-probabilities), as
    ``keras.random.categorical``: shape ``[batch, num_samples]``.

    >>> categorical(np.array([[-50.0, 0.0]]), 3, seed=0).numpy()
    array([[1, 1, 1]], dtype=int32)
    """
    z = np.asarray(logits.data if isinstance(logits, Tensor) else logits, np.float64)
    if z.ndim != 2:
        raise ValueError(f"wg.random.categorical: logits must be [batch, classes], got shape {z.shape}")
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    rng = rng_for(seed)
    draws = [rng.choice(z.shape[1], size=int(num_samples), p=row) for row in p]
    return Tensor(np.asarray(draws).reshape(z.shape[0], int(num_samples)).astype(np.dtype(dtype)))


def binomial(shape: Sequence[int], counts: Any, probabilities: Any, dtype: Any = None, seed: Seed = None) -> Tensor:
    """Binomial draws (successes in ``counts`` trials of probability ``probabilities``), as
    ``keras.random.binomial`` (float32 by default).

    >>> binomial((3,), 4, 1.0, seed=0).numpy()
    array([4., 4., 4.], dtype=float32)
    """
    d = _float_dtype(dtype, "binomial")
    return Tensor(rng_for(seed).binomial(np.asarray(counts), np.asarray(probabilities), _shape(shape)).astype(d))


def gamma(shape: Sequence[int], alpha: float, dtype: Any = None, seed: Seed = None) -> Tensor:
    """Gamma draws of shape parameter ``alpha`` (scale 1), as ``keras.random.gamma``.

    >>> bool((gamma((5,), 2.0, seed=0).numpy() > 0).all())
    True
    """
    d = _float_dtype(dtype, "gamma")
    return Tensor(rng_for(seed).gamma(alpha, 1.0, _shape(shape)).astype(d))


def beta(shape: Sequence[int], alpha: float, beta: float, dtype: Any = None, seed: Seed = None) -> Tensor:
    """Beta draws of parameters ``alpha`` and ``beta``, as ``keras.random.beta``.

    >>> bool(((b := beta((5,), 2.0, 3.0, seed=0).numpy()) > 0).all() and (b < 1).all())
    True
    """
    d = _float_dtype(dtype, "beta")
    return Tensor(rng_for(seed).beta(alpha, beta, _shape(shape)).astype(d))


def __getattr__(name: str) -> Any:  # Keras names webgrad lacks: NotImplementedError
    raise keras_names.unsupported("random", name)
