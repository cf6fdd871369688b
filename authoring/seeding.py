"""Seeding. One process-wide generator feeds initializers, dropout and shuffling, so the same seed
gives the same weights and the same training run; ``SeedGenerator`` is Keras's seed stream.

The ``seed=`` argument that webgrad's random functions and initializers take follows Keras 3:

- ``None``: draw from the process-wide generator (``set_seed`` makes the run reproducible);
- an ``int``: the same values on every call;
- a ``SeedGenerator``: a new draw on every call, the same sequence for the same starting seed.

>>> set_seed(3); a = generator().random()
>>> set_seed(3); b = generator().random()
>>> a == b
True
>>> stream = SeedGenerator(7)
>>> rng_for(stream).random() != rng_for(stream).random(), rng_for(7).random() == rng_for(7).random()
(True, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["SeedGenerator", "Seed", "child", "generator", "rng_for", "set_seed"]

_state: dict[str, np.random.Generator] = {"rng": np.random.default_rng(0)}


def set_seed(seed: int) -> None:
    """Resets the generator behind weight initialization, dropout and shuffling.

    >>> set_seed(0)
    """
    _state["rng"] = np.random.default_rng(seed)


def generator() -> np.random.Generator:
    """The process-wide generator.

    >>> isinstance(generator(), np.random.Generator)
    True
    """
    return _state["rng"]


def child(seed: int | None = None) -> np.random.Generator:
    """A generator of its own: from ``seed`` if given, else drawn from the process-wide one.

    >>> child(5).random() == child(5).random()
    True
    """
    if seed is None:
        seed = int(generator().integers(0, 2**63 - 1))
    return np.random.default_rng(seed)


class SeedGenerator:
    """Keras's ``keras.random.SeedGenerator``: a stream of seeds, the same for the same ``seed``.

    Passed as ``seed=`` to a random function or an initializer, each call draws new values.
    ``seed=None`` starts from a seed drawn from the process-wide generator.

    >>> a, b = SeedGenerator(1), SeedGenerator(1)
    >>> a.next() == b.next(), a.next() == a.next()
    (True, False)
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any):
        if kwargs:
            raise TypeError(f"SeedGenerator got unexpected arguments {sorted(kwargs)}")
        if seed is None:
            seed = int(generator().integers(0, 2**31 - 1))
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
            raise TypeError(f"SeedGenerator: seed must be an int or None, got {seed!r}")
        self.seed = int(seed)
        self.name = name or "seed_generator"
        self._count = 0

    def next(self, ordered: bool = True) -> int:
        """The next seed of the stream (an int)."""
        self._count += 1
        return int(np.random.SeedSequence([self.seed, self._count]).generate_state(1)[0])

    def get_config(self) -> dict[str, Any]:
        """``{"seed": ..., "name": ...}``, as Keras's."""
        return {"seed": self.seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SeedGenerator:
        """The generator a ``get_config`` describes (starting over from its seed)."""
        return cls(**config)


Seed = int | SeedGenerator | None


def rng_for(seed: Seed) -> np.random.Generator:
    """The numpy generator a ``seed=`` argument stands for (see the module docstring).

    >>> int(rng_for(3).integers(100)) == int(rng_for(3).integers(100))
    True
    """
    if seed is None:
        return generator()
    if isinstance(seed, SeedGenerator):
        return np.random.default_rng(seed.next())
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed must be an int, a SeedGenerator or None, got {seed!r}")
    return np.random.default_rng(int(seed))
