"""``set_random_seed``: one call seeds webgrad, numpy's global generator and Python's ``random``, as
Keras's does for its backend, numpy and Python.

>>> import random
>>> set_random_seed(1); a = (random.random(), np.random.rand())
>>> set_random_seed(1); b = (random.random(), np.random.rand())
>>> a == b
True
"""

from __future__ import annotations

import random

import numpy as np

from webgrad import seeding


def set_random_seed(seed: int) -> None:
    """Seeds webgrad's generator (weights, dropout, shuffling), ``np.random`` and ``random``."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"set_random_seed: expected `seed` to be an integer, got seed={seed!r} "
                         f"(of type {type(seed).__name__})")
    seeding.set_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
