"""Weight initializers (Keras names). Each takes a shape and a numpy Generator, returns float32.

>>> import numpy as np
>>> w = get("glorot_uniform")((4, 3), np.random.default_rng(0))
>>> w.shape, w.dtype
((4, 3), dtype('float32'))
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Initializer = Callable[[tuple, np.random.Generator], np.ndarray]


def _fans(shape: tuple) -> tuple[int, int]:
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def zeros(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    return np.zeros(shape, np.float32)


def ones(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    return np.ones(shape, np.float32)


def glorot_uniform(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    fan_in, fan_out = _fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def glorot_normal(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    fan_in, fan_out = _fans(shape)
    return _truncated_normal(shape, np.sqrt(2.0 / (fan_in + fan_out)), rng)


def he_normal(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    fan_in, _ = _fans(shape)
    return _truncated_normal(shape, np.sqrt(2.0 / fan_in), rng)


def he_uniform(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    fan_in, _ = _fans(shape)
    limit = np.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, shape).astype(np.float32)


def random_uniform(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(-0.05, 0.05, shape).astype(np.float32)


def _truncated_normal(shape: tuple, stddev: float, rng: np.random.Generator) -> np.ndarray:
    # Keras' truncated normal: redraw beyond 2 std, scaled so the std is `stddev` after truncation.
    scale = stddev / 0.87962566103423978
    x = rng.standard_normal(shape)
    bad = np.abs(x) > 2
    while bad.any():
        x[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(x) > 2
    return (x * scale).astype(np.float32)


_ALL: dict[str, Initializer] = {
    f.__name__: f
    for f in (zeros, ones, glorot_uniform, glorot_normal, he_normal, he_uniform, random_uniform)
}


def get(name: str | Initializer) -> Initializer:
    """An initializer by name (or the callable itself); the error lists the valid names."""
    if callable(name):
        return name
    if name not in _ALL:
        raise ValueError(f"unknown initializer {name!r}; valid: {', '.join(sorted(_ALL))}")
    return _ALL[name]


def name_of(init: Initializer) -> str:
    """The registered name of an initializer (for get_config)."""
    for k, v in _ALL.items():
        if v is init:
            return k
    raise ValueError(f"initializer {init!r} is not a named one and cannot be saved in a config")
