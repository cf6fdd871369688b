"""Random draws for the layers that are random only while training (noise, dropout variants, image
augmentation): one seeded numpy generator per layer, as ``Dropout`` does.

A compiled JAX step traces ``call`` once, so numpy draws made there would be frozen into every step.
Such a step may give a layer fresh draws by setting ``layer.random_source`` to an object with
``uniform(shape)`` and ``normal(shape)`` returning float32 arrays (for example drawn from the step's key)
and ``xp``, their array module (``jax.numpy``); the layers write their index arithmetic for numpy and
``jax.numpy`` alike. Without one, a traced call
raises ``NotImplementedError`` instead of silently repeating one draw.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad import random as wg_random
from webgrad.tensor import SymbolicTensor


def is_traced(x: Any) -> bool:
    """True when ``x`` (a Tensor or array) holds a JAX value, i.e. runs inside a JAX step."""
    data = getattr(x, "data", x)
    return not isinstance(data, np.ndarray | np.generic | SymbolicTensor) and type(data).__module__.startswith("jax")


class RandomDraws:
    """Mixin: ``self.seed`` set by the layer; ``uniform``/``normal`` draw float32 arrays."""

    seed: int | None
    random_source: Any = None
    _rng: np.random.Generator | None = None

    def xp(self) -> Any:
        """The array module the draws come in: numpy, or ``jax.numpy`` under a ``random_source``."""
        return np if self.random_source is None else self.random_source.xp

    def check_drawable(self, x: Any) -> None:
        if is_traced(x) and self.random_source is None:
            raise NotImplementedError(
                f"{type(self).__name__} in training under backend='jax' is not supported yet "
                "(its random draws would be frozen into the compiled step); train with the numpy backend"
            )

    def _generator(self) -> np.random.Generator:
        if self._rng is None:
            self._rng = wg_random.child(self.seed)
        return self._rng

    def uniform(self, shape: tuple[int, ...]) -> Any:
        """Uniform draws in ``[0, 1)``."""
        if self.random_source is not None:
            return self.random_source.uniform(tuple(shape))
        return self._generator().random(shape, dtype=np.float32)

    def normal(self, shape: tuple[int, ...]) -> Any:
        """Standard normal draws."""
        if self.random_source is not None:
            return self.random_source.normal(tuple(shape))
        return self._generator().standard_normal(shape, dtype=np.float32)
