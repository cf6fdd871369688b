"""The ``Metric`` base class (Keras 3's subclass API) and the variables that hold a metric's state.

A metric accumulates over batches (``update_state``), reports (``result``) and starts over
(``reset_state``). Its state lives in variables made by ``add_variable``, so ``metric.variables`` lists
it as in Keras. Metrics run on the host, after each batch's forward pass, on numpy values: they do not
train and do not export, so they need no op-set graph (a custom metric may still use ``wg.ops``).

>>> import numpy as np
>>> class BinaryTruePositives(Metric):
...     def __init__(self, name="binary_true_positives", **kwargs):
...         super().__init__(name=name, **kwargs)
...         self.true_positives = self.add_variable(shape=(), initializer="zeros", name="true_positives")
...     def update_state(self, y_true, y_pred, sample_weight=None):
...         values = np.logical_and(np.asarray(y_true, bool), np.asarray(y_pred, bool)).astype(self.dtype)
...         if sample_weight is not None:
...             values = values * np.broadcast_to(np.asarray(sample_weight, self.dtype), values.shape)
...         self.true_positives.assign(self.true_positives + values.sum())
...     def result(self):
...         return self.true_positives
>>> m = BinaryTruePositives()
>>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
>>> float(m.result())
2.0
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from webgrad import initializers
from webgrad import random as wg_random
from webgrad.layers.base import _snake, unique_name
from webgrad.tensor import Tensor, Variable

EPSILON = 1e-7  # Keras's backend.epsilon(): the fuzz factor of its metric formulas


class MetricVariable(Variable):
    """A metric's state: a non-trainable variable with Keras's ``assign``/``assign_add``/``assign_sub``.

    Its value keeps its shape and dtype; operators (``v + x``) give webgrad Tensors like any variable.
    """

    __slots__ = ("aggregation",)

    def __init__(self, data: np.ndarray, name: str, aggregation: str = "sum"):
        super().__init__(data, name, trainable=False)
        self.aggregation = aggregation

    def assign(self, value: Any) -> None:
        """Replaces the value (broadcast to the variable's shape, cast to its dtype)."""
        self.data = np.array(np.broadcast_to(np.asarray(value, dtype=self.data.dtype), self.data.shape))

    def assign_add(self, value: Any) -> None:
        """Adds ``value`` to the variable in place."""
        self.assign(self.data + np.asarray(value, dtype=self.data.dtype))

    def assign_sub(self, value: Any) -> None:
        """Subtracts ``value`` from the variable in place."""
        self.assign(self.data - np.asarray(value, dtype=self.data.dtype))

    @property
    def value(self) -> np.ndarray:
        """The current value (a numpy array)."""
        return self.data

    def __getitem__(self, index: Any) -> np.ndarray:
        return self.data[index]

    def __float__(self) -> float:
        return float(self.data)

    def __int__(self) -> int:
        return int(self.data)

    def __repr__(self) -> str:
        return f"MetricVariable({self.name!r}, shape={self.shape}, dtype={self.dtype})"


def to_numpy(value: Any) -> Any:
    """A metric value as plain numbers: a Python float for a scalar, a numpy array otherwise, and
    a dict of such for a dict; what ``result()`` gives, so logs, progress bars and JSON take it."""
    if isinstance(value, dict):
        return {k: to_numpy(v) for k, v in value.items()}
    arr = np.asarray(value.data if isinstance(value, Tensor) else value)
    return float(arr) if arr.ndim == 0 else arr


def _numpy_result(result: Any) -> Any:
    @functools.wraps(result)
    def wrapped(self: Metric) -> Any:
        return to_numpy(result(self))

    wrapped._numpy_result = True  # type: ignore[attr-defined]
    return wrapped


class Metric:
    """Encapsulates a metric's logic and state (Keras's ``keras.metrics.Metric``).

    Subclasses create their state in ``__init__`` with ``self.add_variable(...)``, update it in
    ``update_state(y_true, y_pred, sample_weight=None)`` and compute the value in ``result()``.
    ``result()`` always returns plain numbers (a float, a numpy array, or a dict of them), whatever the
    subclass returns (a variable, a webgrad Tensor, numpy): webgrad metrics live on the host.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # a subclass's own result() (user code returns a variable or a Tensor, as in Keras) is wrapped once
        own = cls.__dict__.get("result")
        if own is not None and not getattr(own, "_numpy_result", False):
            cls.result = _numpy_result(own)  # type: ignore[method-assign]

    def __init__(self, dtype: str | None = None, name: str | None = None):  # Keras's order
        self.name = name or unique_name(_snake(type(self).__name__))
        self._dtype = str(np.dtype(dtype or "float32"))
        self._variables: list[MetricVariable] = []

    @property
    def dtype(self) -> str:
        """The dtype of the metric's computations and variables (``float32`` by default)."""
        return self._dtype

    @property
    def variables(self) -> list[MetricVariable]:
        """The state variables, in creation order (those of metrics held as attributes after)."""
        out = list(self._variables)
        for value in vars(self).values():
            if isinstance(value, Metric) and value is not self:
                out.extend(value.variables)
        return out

    def add_variable(self, shape: Any, initializer: Any, dtype: str | None = None, aggregation: str = "sum",
                     name: str | None = None) -> MetricVariable:
        """Creates a state variable of ``shape`` filled by ``initializer`` (a name such as ``"zeros"``,
        or a callable ``(shape, rng)``)."""
        if not hasattr(self, "_variables"):
            raise RuntimeError(f"{type(self).__name__}: call super().__init__() in __init__ before add_variable")
        shape = tuple(int(s) for s in (shape if isinstance(shape, list | tuple) else (shape,)))
        value = np.asarray(initializers.get(initializer)(shape, wg_random.generator()))
        var_name = f"{self.name}/{name or f'variable_{len(self._variables)}'}"
        variable = MetricVariable(value.astype(dtype or self.dtype).reshape(shape), var_name, aggregation)
        self._variables.append(variable)
        return variable

    def add_weight(self, shape: Any = (), initializer: Any = "zeros", dtype: str | None = None,
                   name: str | None = None) -> MetricVariable:
        """Keras's older spelling of ``add_variable``."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Accumulates statistics of one batch."""
        raise NotImplementedError(f"{type(self).__name__} must define update_state")

    def result(self) -> Any:
        """The metric's value from the state so far."""
        raise NotImplementedError(f"{type(self).__name__} must define result")

    def reset_state(self) -> None:
        """Zeroes every state variable (called at the start of each epoch and evaluation)."""
        for v in self.variables:
            v.assign(0)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``update_state`` then ``result``."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments that recreate this metric (without its state)."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Metric:
        """Recreates a metric from ``get_config()``."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"

