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

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from webgrad import keras_names, schedules
from webgrad.schedules import LearningRateSchedule
from webgrad.tensor import Tensor, Variable

# Keras 3's optimizer arguments that webgrad does not implement, with the default value that is accepted
# (a Keras config carries them all); any other value raises NotImplementedError
_KERAS_ONLY_DEFAULTS: dict[str, Any] = {
    "weight_decay": None, "clipnorm": None, "clipvalue": None, "global_clipnorm": None, "use_ema": False,
    "ema_momentum": 0.99, "ema_overwrite_frequency": None, "loss_scale_factor": None,
    "gradient_accumulation_steps": None, "amsgrad": False, "centered": False,
}


def _check_keras_only_arguments(cls_name: str, kwargs: dict[str, Any]) -> None:
    for key, value in kwargs.items():
        if key not in _KERAS_ONLY_DEFAULTS:
            raise TypeError(f"{cls_name} got an unexpected argument {key!r}")
        if value != _KERAS_ONLY_DEFAULTS[key]:
            raise NotImplementedError(f"{cls_name}({key}={value!r}) is not supported yet by webgrad "
                                      f"(only the default {key}={_KERAS_ONLY_DEFAULTS[key]!r})")


class LearningRate(float):
    """The value ``optimizer.learning_rate`` reads: a float (``float(lr)``, ``lr * 0.5``, ``f"{lr:.4f}"``) that
    also has Keras's variable methods, ``numpy()`` and ``assign(value)`` (which sets the optimizer's rate).

    >>> opt = SGD(0.1)
    >>> opt.learning_rate.assign(0.05)
    >>> round(float(opt.learning_rate), 6), opt.learning_rate.numpy().dtype
    (0.05, dtype('float32'))
    """

    _optimizer: Optimizer

    def __new__(cls, value: float, optimizer: Optimizer) -> LearningRate:
        out = super().__new__(cls, value)
        out._optimizer = optimizer
        return out

    def numpy(self) -> np.float32:
        return np.float32(self)

    def assign(self, value: float) -> None:
        self._optimizer.learning_rate = value


class Optimizer:
    """Base class; subclasses define ``slot_names`` and ``update``.

    As in Keras 3: ``learning_rate`` reads the rate the next step uses (a schedule's value at
    ``iterations``) and is settable (``opt.learning_rate = 1e-4``, a float32 like Keras's variable)
    unless the optimizer was made with a schedule; ``iterations`` counts the steps taken;
    ``apply(grads, variables)`` and ``apply_gradients(zip(grads, variables))`` take one step;
    ``get_config`` / ``from_config`` (and the module's ``serialize`` / ``deserialize`` / ``get``) round-trip
    the hyper-parameters; ``state_arrays`` / ``load_state`` save and restore the slots.
    Keras arguments webgrad does not implement (``clipnorm``, ``use_ema``...) raise NotImplementedError
    unless given their default value.
    """

    slot_names: tuple[str, ...] = ()

    def __init__(self, learning_rate: float | LearningRateSchedule = 0.001, name: str | None = None,
                 **kwargs: Any):
        _check_keras_only_arguments(type(self).__name__, kwargs)
        self._learning_rate: float | Callable[[int], float] = 0.0
        self.learning_rate = learning_rate  # type: ignore[assignment]
        self.name = name or type(self).__name__.lower()
        self.iterations = 0
        self._slots: dict[int, dict[str, Any]] = {}
        self._variables: list[Variable] = []
        self.built = False

    # ---- learning rate -------------------------------------------------------------------------
    @property
    def learning_rate(self) -> LearningRate:
        """The learning rate the next step uses (settable unless it comes from a schedule)."""
        return LearningRate(self.current_learning_rate(), self)

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if callable(value):
            self._learning_rate = value
            return
        if callable(self._learning_rate):
            raise TypeError(
                f"optimizer {self.name!r} was created with a learning-rate schedule "
                f"({type(self._learning_rate).__name__}), so its learning rate is not settable; create the "
                "optimizer with a float learning_rate to set it (as in Keras)")
        value = float(np.asarray(value))
        if not value > 0:
            raise ValueError(f"learning_rate must be positive, got {value}")
        self._learning_rate = float(np.float32(value))  # stored as float32, like Keras's variable

    def current_learning_rate(self) -> float:
        """The learning rate the next step uses."""
        lr = self._learning_rate
        return float(lr(self.iterations)) if callable(lr) else float(lr)

    def scalars(self, t: int) -> dict[str, np.float32]:
        """The scalars step ``t`` (1-based, ``iterations + 1``) needs: ``lr`` and, in subclasses, more."""
        return {"lr": np.float32(self.current_learning_rate())}

    def update(self, value: Any, grad: Any, slots: dict[str, Any], h: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        raise NotImplementedError

    # ---- steps -----------------------------------------------------------------------------------
    def build(self, variables: Iterable[Variable]) -> None:
        """Creates the (zero) slots of ``variables``, which ``apply(grads)`` without variables then uses."""
        self._variables = list(variables)
        for var in self._variables:
            self._slots.setdefault(id(var), {k: np.zeros_like(var.data) for k in self.slot_names})
        self.built = True

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Variable]]) -> None:
        """One step: updates every variable from its gradient (a ``None`` gradient skips its variable)."""
        t = self.iterations + 1
        h = self.scalars(t)
        for grad, var in grads_and_vars:
            if grad is None:
                continue
            grad = grad.data if isinstance(grad, Tensor) else grad
            slots = self._slots.get(id(var))
            if slots is None:
                slots = {k: np.zeros_like(var.data) for k in self.slot_names}
            var.data, self._slots[id(var)] = self.update(var.data, grad, slots, h)
        self.iterations = t

    def apply(self, grads: Iterable[Any], trainable_variables: Iterable[Variable] | None = None) -> None:
        """Keras 3's ``apply``: one step with ``grads[i]`` for ``trainable_variables[i]`` (by default the
        variables given to ``build``).

        >>> w = Variable(np.array([1.0], np.float32), "w")
        >>> opt = SGD(0.5)
        >>> opt.apply([np.array([1.0], np.float32)], [w])
        >>> w.numpy(), opt.iterations
        (array([0.5], dtype=float32), 1)
        """
        grads = list(grads)
        if trainable_variables is None:
            if not self.built:
                raise ValueError(f"optimizer {self.name!r}: apply(grads) without trainable_variables needs "
                                 "build(trainable_variables) first")
            variables = self._variables
        else:
            variables = list(trainable_variables)
            if not self.built:
                self.build(variables)
        if len(grads) != len(variables):
            raise ValueError(f"optimizer {self.name!r}: {len(grads)} gradients for {len(variables)} variables")
        if grads:
            self.apply_gradients(zip(grads, variables, strict=True))

    # ---- config ------------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (Keras names), JSON-ready; a schedule is serialized as
        ``{"class_name", "config"}``.

        >>> SGD(0.1, momentum=0.9).get_config()
        {'name': 'sgd', 'learning_rate': 0.1, 'momentum': 0.9, 'nesterov': False}
        """
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr_config: Any = schedules.serialize(lr)
        elif callable(lr):
            raise ValueError(f"optimizer {self.name!r}: a learning rate given as a plain function cannot be "
                             "serialized; use a wg.schedules.LearningRateSchedule subclass")
        else:
            lr_config = _number(np.float32(lr))
        return {"name": self.name, "learning_rate": lr_config}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Optimizer:
        """The optimizer ``get_config()`` describes (fresh state); Keras's own optimizer configs load too.

        >>> Adam.from_config(Adam(0.01, beta_1=0.8).get_config()).get_config()["beta_1"]
        0.8
        """
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"], custom_objects)
        return cls(**config)

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
        if callable(self._learning_rate):
            raise ValueError(
                f"a learning-rate schedule ({type(self._learning_rate).__name__}) cannot be exported in a "
                "trainable bundle (the runtime takes a constant rate); pass an optimizer with a constant "
                f"learning_rate, e.g. optimizer=wg.optimizers.{type(self).__name__}"
                f"(learning_rate={self.current_learning_rate():g})")
        return _number(np.float32(self._learning_rate))

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

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": _number(self.momentum), "nesterov": bool(self.nesterov)}

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

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "beta_1": _number(self.beta_1), "beta_2": _number(self.beta_2),
                "epsilon": _number(self.epsilon)}

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

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "weight_decay": _number(self.weight_decay)}

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

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rho": _number(self.rho), "momentum": _number(self.momentum),
                "epsilon": _number(self.epsilon)}

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


def get(identifier: str | dict | Optimizer) -> Optimizer:
    """An optimizer from a name with default settings (any case: ``"adam"``, ``"Adam"``), a
    ``serialize`` dict, or the instance as is; errors list valid names.

    >>> type(get("Adam")).__name__, get({"class_name": "SGD", "config": {"learning_rate": 0.5}}).learning_rate
    ('Adam', 0.5)
    """
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    return _optimizer_class(str(identifier))()


def _optimizer_class(name: str, custom_objects: dict[str, Any] | None = None) -> type[Optimizer]:
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    key = name.lower()
    if key not in _ALL:
        raise ValueError(f"unknown optimizer {name!r}; valid: {', '.join(_ALL)} (or an Optimizer instance)")
    return _ALL[key]


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """``{"module", "class_name", "config"}``, as Keras writes it in a ``.keras`` file's compile config.

    >>> serialize(SGD(0.5))["class_name"], serialize(SGD(0.5))["config"]["learning_rate"]
    ('SGD', 0.5)
    """
    return {"module": "webgrad.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Optimizer:
    """The optimizer ``serialize`` (or Keras's ``keras.optimizers.serialize``) describes.

    >>> deserialize(serialize(Adam(0.01))).get_config() == Adam(0.01).get_config()
    True
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"an optimizer config must be a dict with 'class_name' and 'config', got {config!r}")
    cls = _optimizer_class(config.get("registered_name") or config["class_name"], custom_objects)
    return cls.from_config(config.get("config", {}), custom_objects)


def __getattr__(name: str) -> Any:  # Keras names webgrad lacks: NotImplementedError
    raise keras_names.unsupported("optimizers", name)
