"""Optimizers: SGD (momentum, Nesterov), Adam, AdamW, RMSprop, with constant or scheduled learning rates.

Each optimizer's math is one ``update(value, grad, slots, h) -> (value, slots)`` written with
augmented assignments (``m *= beta``): numpy arrays are updated in place (no temporaries for the state,
which matters for small models), while immutable arrays (JAX) simply rebind, so the same rule serves
both backends. ``grad`` is never modified. ``h`` holds the step's scalars (``scalars(t)``: the learning
rate, Adam's bias-corrected step size), computed on the host so a jitted step takes them as inputs.

>>> import numpy as np
>>> from webgrad.tensor import Variable
>>> w = Variable(np.array([1.0], np.float32), "w")
>>> opt = SGD(learning_rate=0.1)
>>> opt.apply_gradients([(np.array([2.0], np.float32), w)])
>>> w.numpy()
array([0.8], dtype=float32)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from webgrad.schedules import LearningRateSchedule
from webgrad.tensor import Variable


class Optimizer:
    """Base class; subclasses define ``slot_names`` and ``update``."""

    slot_names: tuple[str, ...] = ()

    def __init__(self, learning_rate: float | LearningRateSchedule = 0.001, name: str | None = None):
        if not callable(learning_rate) and not float(learning_rate) > 0:
            raise ValueError(f"learning_rate must be positive, got {learning_rate}")
        self.learning_rate = learning_rate
        self.name = name or type(self).__name__.lower()
        self.iterations = 0
        self._slots: dict[int, dict[str, Any]] = {}

    def current_learning_rate(self) -> float:
        """The learning rate the next step uses."""
        lr = self.learning_rate
        return float(lr(self.iterations)) if callable(lr) else float(lr)

    def scalars(self, t: int) -> dict[str, np.float32]:
        """The scalars step ``t`` (1-based, ``iterations + 1``) needs: ``lr`` and, in subclasses, more."""
        return {"lr": np.float32(self.current_learning_rate())}

    def update(self, value: Any, grad: Any, slots: dict[str, Any], h: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        raise NotImplementedError

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Variable]]) -> None:
        """One step: updates every variable from its gradient."""
        t = self.iterations + 1
        h = self.scalars(t)
        for grad, var in grads_and_vars:
            slots = self._slots.get(id(var))
            if slots is None:
                slots = {k: np.zeros_like(var.data) for k in self.slot_names}
            var.data, self._slots[id(var)] = self.update(var.data, grad, slots, h)
        self.iterations = t

    def get_config(self) -> dict[str, Any]:
        lr = self.learning_rate
        return {"learning_rate": lr.get_config() if isinstance(lr, LearningRateSchedule) else lr}


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum."""

    def __init__(self, learning_rate: float | LearningRateSchedule = 0.01, momentum: float = 0.0,
                 nesterov: bool = False, **kwargs: Any):
        super().__init__(learning_rate, **kwargs)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.momentum = np.float32(momentum)
        self.nesterov = nesterov
        self.slot_names = ("velocity",) if momentum else ()

    def update(self, value: Any, grad: Any, slots: dict[str, Any], h: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        lr = h["lr"]
        if not self.momentum:
            value -= lr * grad
            return value, slots
        v = slots["velocity"]
        v *= self.momentum
        v -= lr * grad
        if self.nesterov:
            value += self.momentum * v - lr * grad
        else:
            value += v
        return value, {"velocity": v}


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction folded into the step size, as in Keras."""

    slot_names = ("m", "v")

    def __init__(self, learning_rate: float | LearningRateSchedule = 0.001, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, **kwargs: Any):
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = np.float32(beta_1), np.float32(beta_2), np.float32(epsilon)

    def scalars(self, t: int) -> dict[str, np.float32]:
        h = super().scalars(t)
        h["lr_t"] = h["lr"] * np.float32(np.sqrt(1 - float(self.beta_2) ** t) / (1 - float(self.beta_1) ** t))
        return h

    def _adam_step(self, grad: Any, slots: dict[str, Any], h: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        m, v = slots["m"], slots["v"]
        m *= self.beta_1
        m += (1 - self.beta_1) * grad
        v *= self.beta_2
        v += (1 - self.beta_2) * (grad * grad)
        denom = v ** np.float32(0.5)
        denom += self.epsilon
        step = m / denom
        step *= h["lr_t"]
        return step, {"m": m, "v": v}

    def update(self, value: Any, grad: Any, slots: dict[str, Any], h: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        step, slots = self._adam_step(grad, slots, h)
        value -= step
        return value, slots


class AdamW(Adam):
    """Adam with decoupled weight decay: ``w -= lr * weight_decay * w`` before the Adam step."""

    def __init__(self, learning_rate: float | LearningRateSchedule = 0.001, weight_decay: float = 0.004,
                 **kwargs: Any):
        super().__init__(learning_rate, **kwargs)
        self.weight_decay = np.float32(weight_decay)

    def update(self, value: Any, grad: Any, slots: dict[str, Any], h: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        value *= 1 - h["lr"] * self.weight_decay
        step, slots = self._adam_step(grad, slots, h)
        value -= step
        return value, slots


class RMSprop(Optimizer):
    """RMSprop: divides the gradient by a running root mean square, with optional momentum."""

    def __init__(self, learning_rate: float | LearningRateSchedule = 0.001, rho: float = 0.9,
                 momentum: float = 0.0, epsilon: float = 1e-7, **kwargs: Any):
        super().__init__(learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon = np.float32(rho), np.float32(momentum), np.float32(epsilon)
        self.slot_names = ("ms", "mom") if momentum else ("ms",)

    def update(self, value: Any, grad: Any, slots: dict[str, Any], h: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        lr = h["lr"]
        ms = slots["ms"]
        ms *= self.rho
        ms += (1 - self.rho) * (grad * grad)
        step = lr * grad / ((ms + self.epsilon) ** np.float32(0.5))
        if not self.momentum:
            value -= step
            return value, {"ms": ms}
        mom = slots["mom"]
        mom *= self.momentum
        mom += step
        value -= mom
        return value, {"ms": ms, "mom": mom}


_ALL: dict[str, type[Optimizer]] = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop}


def get(name: str | Optimizer) -> Optimizer:
    """An optimizer by name with default settings (or the instance as is); errors list valid names."""
    if isinstance(name, Optimizer):
        return name
    key = str(name).lower()
    if key not in _ALL:
        raise ValueError(f"unknown optimizer {name!r}; valid: {', '.join(_ALL)} (or an Optimizer instance)")
    return _ALL[key]()
