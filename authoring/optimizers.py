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

    # ---- trainable bundles (``training.optimizer`` / ``training.state``) ------------------------
    def bundle_config(self) -> dict[str, Any]:
        """The ``training.optimizer`` entry of a trainable bundle: the name and the hyper-parameters as
        JSON numbers. Only SGD and Adam with a constant learning rate are exported in this version; any
        other raises ValueError saying what to pass instead.

        >>> Adam(0.01).bundle_config()
        {'name': 'adam', 'learning_rate': 0.01, 'beta_1': 0.9, 'beta_2': 0.999, 'epsilon': 1e-07}
        """
        raise ValueError(f"optimizer {type(self).__name__} cannot be exported in a trainable bundle; the runtime "
                         "trains with SGD or Adam: pass optimizer=wg.optimizers.SGD(...) or Adam(...)")

    def _bundle_learning_rate(self) -> float:
        if callable(self.learning_rate):
            raise ValueError(
                f"a learning-rate schedule ({type(self.learning_rate).__name__}) cannot be exported in a trainable "
                "bundle (the runtime takes a constant rate); pass an optimizer with a constant learning_rate, e.g. "
                f"optimizer=wg.optimizers.{type(self).__name__}(learning_rate={self.current_learning_rate():g})")
        return float(self.learning_rate)

    def state_arrays(self, variables: Iterable[Variable]) -> list[dict[str, np.ndarray]]:
        """The slot arrays of each of ``variables`` (zeros for a variable not stepped yet), by slot name.

        >>> w = Variable(np.ones(2, np.float32), "w")
        >>> opt = Adam()
        >>> opt.apply_gradients([(np.ones(2, np.float32), w)])
        >>> sorted(opt.state_arrays([w])[0]), opt.iterations
        (['m', 'v'], 1)
        """
        out = []
        for var in variables:
            slots = self._slots.get(id(var), {})
            out.append({k: np.array(slots[k], np.float32) if k in slots else np.zeros(var.shape, np.float32)
                        for k in self.slot_names})
        return out

    def load_state(self, iterations: int, slots: Iterable[tuple[Variable, dict[str, np.ndarray]]]) -> None:
        """Restores the step count and each variable's slot arrays (copies), so the next step is the one
        the saved optimizer would have taken. Raises ValueError for an unknown slot or a wrong shape.

        >>> w = Variable(np.ones(2, np.float32), "w")
        >>> opt = SGD(0.1, momentum=0.9)
        >>> opt.load_state(3, [(w, {"velocity": np.full(2, 0.5, np.float32)})])
        >>> opt.iterations, opt.state_arrays([w])[0]["velocity"].tolist()
        (3, [0.5, 0.5])
        """
        restored: dict[int, dict[str, Any]] = {}
        for var, arrays in slots:
            unknown = sorted(set(arrays) - set(self.slot_names))
            if unknown:
                raise ValueError(f"optimizer {self.name!r} has slots {list(self.slot_names)}; got {unknown} "
                                 f"for weight {var.name!r}")
            for k, a in arrays.items():
                if tuple(np.shape(a)) != tuple(var.shape):
                    raise ValueError(f"slot {k!r} of weight {var.name!r} has shape {tuple(np.shape(a))}, the weight "
                                     f"{tuple(var.shape)}")
            restored[id(var)] = {k: np.array(a, np.float32) for k, a in arrays.items()}
        self._slots.update(restored)
        self.iterations = int(iterations)


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

    def bundle_config(self) -> dict[str, Any]:
        """``{"name": "sgd", "learning_rate", "momentum", "nesterov"}`` (see ``Optimizer.bundle_config``)."""
        return {"name": "sgd", "learning_rate": self._bundle_learning_rate(), "momentum": _number(self.momentum),
                "nesterov": bool(self.nesterov)}

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

    def bundle_config(self) -> dict[str, Any]:
        """``{"name": "adam", "learning_rate", "beta_1", "beta_2", "epsilon"}`` (see ``Optimizer.bundle_config``)."""
        if type(self) is not Adam:  # AdamW adds a decay the runtime does not apply
            return super().bundle_config()
        return {"name": "adam", "learning_rate": self._bundle_learning_rate(), "beta_1": _number(self.beta_1),
                "beta_2": _number(self.beta_2), "epsilon": _number(self.epsilon)}

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


def _number(value: np.float32) -> float:
    """A float32 hyper-parameter as the shortest decimal that reads back as the same float32 (0.9, not
    0.8999999761581421), so model.json shows what the user wrote."""
    return float(str(np.float32(value)))


def from_bundle_config(config: dict[str, Any]) -> Optimizer:
    """The optimizer a trainable bundle's ``training.optimizer`` entry describes (``bundle_config`` back).

    >>> from_bundle_config({"name": "sgd", "learning_rate": 0.1, "momentum": 0.9, "nesterov": True}).nesterov
    True
    """
    params = {k: v for k, v in config.items() if k != "name"}
    if config.get("name") == "sgd":
        return SGD(**params)
    if config.get("name") == "adam":
        return Adam(**params)
    raise ValueError(f"unknown optimizer {config.get('name')!r} in a trainable bundle; valid: sgd, adam")


_ALL: dict[str, type[Optimizer]] = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop}


def get(name: str | Optimizer) -> Optimizer:
    """An optimizer by name with default settings (or the instance as is); errors list valid names."""
    if isinstance(name, Optimizer):
        return name
    key = str(name).lower()
    if key not in _ALL:
        raise ValueError(f"unknown optimizer {name!r}; valid: {', '.join(_ALL)} (or an Optimizer instance)")
    return _ALL[key]()
