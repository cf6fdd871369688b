"""Learning-rate schedules: callables from the step number (0-based) to a learning rate.

>>> s = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> round(s(10), 6)
0.05
"""

from __future__ import annotations

import math
from typing import Any


class LearningRateSchedule:
    """Base: ``schedule(step) -> learning rate``. ``get_config`` gives the constructor arguments and
    ``from_config`` rebuilds from them, so an optimizer with a schedule saves and loads (``.keras`` files).
    """

    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return dict(vars(self))

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """The schedule ``get_config()`` describes (a Keras config's ``name`` is ignored)."""
        return cls(**{k: v for k, v in config.items() if k != "name"})


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """``{"module", "class_name", "config"}`` of a schedule, as Keras writes it in an optimizer's config.

    >>> serialize(ExponentialDecay(0.1, 10, 0.5))["class_name"]
    'ExponentialDecay'
    """
    return {"module": "webgrad.schedules", "class_name": type(schedule).__name__, "config": schedule.get_config(),
            "registered_name": None}


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> LearningRateSchedule:
    """The schedule ``serialize`` describes; ``custom_objects`` maps names of user schedule classes.

    >>> deserialize(serialize(InverseTimeDecay(1.0, 1, 1.0)))(3)
    0.25
    """
    name = config.get("registered_name") or config.get("class_name")
    cls = (custom_objects or {}).get(name) or _BUILT_IN.get(str(name))
    if cls is None:
        raise ValueError(f"unknown learning-rate schedule {name!r}; valid: {', '.join(sorted(_BUILT_IN))} (pass "
                         "a class of your own in custom_objects)")
    return cls.from_config(dict(config.get("config", {})))


class ExponentialDecay(LearningRateSchedule):
    """``lr * decay_rate ** (step / decay_steps)`` (floored exponent with ``staircase``)."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False):
        if decay_steps <= 0:
            raise ValueError(f"decay_steps must be positive, got {decay_steps}")
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = int(decay_steps)
        self.decay_rate = float(decay_rate)
        self.staircase = staircase

    def __call__(self, step: int) -> float:
        p = step / self.decay_steps
        return self.initial_learning_rate * self.decay_rate ** (math.floor(p) if self.staircase else p)


class CosineDecay(LearningRateSchedule):
    """Cosine from ``initial_learning_rate`` down to ``alpha * initial`` over ``decay_steps``, after an
    optional linear warm-up of ``warmup_steps``.
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0, warmup_steps: int = 0):
        if decay_steps <= 0:
            raise ValueError(f"decay_steps must be positive, got {decay_steps}")
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = int(decay_steps)
        self.alpha = float(alpha)
        self.warmup_steps = int(warmup_steps)

    def __call__(self, step: int) -> float:
        if step < self.warmup_steps:
            return self.initial_learning_rate * (step + 1) / self.warmup_steps
        t = min(step - self.warmup_steps, self.decay_steps) / self.decay_steps
        cos = 0.5 * (1 + math.cos(math.pi * t))
        return self.initial_learning_rate * ((1 - self.alpha) * cos + self.alpha)


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[i]`` while ``step <= boundaries[i]`` (and ``values[-1]`` after the last boundary)."""

    def __init__(self, boundaries: list[int], values: list[float]):
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"need one more value than boundaries, got {len(boundaries)} and {len(values)}")
        self.boundaries = list(boundaries)
        self.values = [float(v) for v in values]

    def __call__(self, step: int) -> float:
        for b, v in zip(self.boundaries, self.values, strict=False):
            if step <= b:
                return v
        return self.values[-1]


class InverseTimeDecay(LearningRateSchedule):
    """``lr / (1 + decay_rate * step / decay_steps)``."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float):
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_steps = int(decay_steps)
        self.decay_rate = float(decay_rate)

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate / (1 + self.decay_rate * step / self.decay_steps)


_BUILT_IN: dict[str, type[LearningRateSchedule]] = {
    c.__name__: c for c in (ExponentialDecay, CosineDecay, PiecewiseConstantDecay, InverseTimeDecay)
}
