"""Seeding. One process-wide generator feeds initializers, dropout and shuffling, so the same seed
gives the same weights and the same training run.

>>> import webgrad as wg
>>> wg.set_seed(3); a = wg.random.generator().random()
>>> wg.set_seed(3); b = wg.random.generator().random()
>>> a == b
True
"""

from __future__ import annotations

import numpy as np

_state: dict[str, np.random.Generator] = {"rng": np.random.default_rng(0)}


def set_seed(seed: int) -> None:
    """Resets the generator behind weight initialization, dropout and shuffling."""
    _state["rng"] = np.random.default_rng(seed)


def generator() -> np.random.Generator:
    """The process-wide generator."""
    return _state["rng"]


def child(seed: int | None = None) -> np.random.Generator:
    """A generator of its own: from ``seed`` if given, else drawn from the process-wide one."""
    if seed is None:
        seed = int(generator().integers(0, 2**63 - 1))
    return np.random.default_rng(seed)
