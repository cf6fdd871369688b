"""Server aggregation strategies: how the mean of the clients' updates becomes the next global model.

Every strategy takes the global weights and the round's *mean delta* (the clients' trained minus the
global weights, averaged: weighted by example count with ``weighted_mean``, or the noisy fixed-denominator
mean of ``webgrad.federated.dp``) and returns the new global weights:

- ``FedAvg`` (McMahan et al. 2017): ``w + mean_delta``;
- ``FedProx(mu)`` (Li et al. 2020): the same server step; the proximal term ``mu/2·||w - w_global||²`` is
  added on the clients, which read ``mu`` from ``client_settings()["proxMu"]``;
- ``FedAdagrad``, ``FedAdam``, ``FedYogi`` (Reddi et al. 2021, "Adaptive Federated Optimization",
  Algorithm 2): the mean delta is the pseudo-gradient of a server optimizer with momentum
  ``m = β1·m + (1-β1)·Δ``, a second-moment estimate ``v`` (Adagrad: ``v + Δ²``; Adam:
  ``β2·v + (1-β2)·Δ²``; Yogi: ``v - (1-β2)·Δ²·sign(v - Δ²)``) and the step ``w + η·m / (√v + τ)``,
  without bias correction, as in the paper.

State (the server optimizer's moments and step count) round-trips through ``state_dict`` /
``load_state_dict`` for checkpoints.

>>> import numpy as np
>>> w = [np.zeros(2, np.float32)]
>>> mean = weighted_mean([[np.array([1.0, 0.0])], [np.array([0.0, 1.0])]], [3, 1])
>>> FedAvg().apply(w, mean)[0].tolist()
[0.75, 0.25]
"""

from __future__ import annotations

from typing import Any

import numpy as np


def weighted_mean(deltas: list[list[np.ndarray]], weights: list[float]) -> list[np.ndarray]:
    """``Σ weights[i]·deltas[i] / Σ weights`` tensor by tensor (accumulated in float64, returned in the
    first delta's dtypes): FedAvg's average weighted by each client's example count.

    >>> weighted_mean([[np.array([2.0])], [np.array([4.0])]], [1, 3])[0].tolist()
    [3.5]
    """
    if not deltas:
        raise ValueError("weighted_mean: deltas is empty (no client update to average)")
    if len(deltas) != len(weights):
        raise ValueError(f"weighted_mean: {len(deltas)} deltas but {len(weights)} weights")
    w = np.asarray(weights, np.float64)
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"weighted_mean: weights must be finite, >= 0 and not all 0, got {list(weights)}")
    n = len(deltas[0])
    for i, d in enumerate(deltas):
        if len(d) != n or any(a.shape != b.shape for a, b in zip(d, deltas[0], strict=True)):
            raise ValueError(f"weighted_mean: delta {i} has shapes {[a.shape for a in d]}, expected "
                             f"{[a.shape for a in deltas[0]]}")
    out = []
    for k in range(n):
        acc = np.zeros(deltas[0][k].shape, np.float64)
        for d, wi in zip(deltas, w, strict=True):
            acc += wi * np.asarray(d[k], np.float64)
        out.append((acc / w.sum()).astype(deltas[0][k].dtype))
    return out


def _check_lists(global_weights: list[np.ndarray], mean_delta: list[np.ndarray]) -> None:
    if len(global_weights) != len(mean_delta):
        raise ValueError(f"apply: {len(global_weights)} global weights but {len(mean_delta)} delta tensors")
    for i, (w, d) in enumerate(zip(global_weights, mean_delta, strict=True)):
        if np.shape(w) != np.shape(d):
            raise ValueError(f"apply: delta tensor {i} has shape {np.shape(d)}, the weight has {np.shape(w)}")


def _added(weights: list[np.ndarray], steps: list[np.ndarray]) -> list[np.ndarray]:
    # summed in float64, returned in each weight's own dtype
    return [(np.asarray(w, np.float64) + s).astype(np.asarray(w).dtype) for w, s in zip(weights, steps, strict=True)]


class FedAvg:
    """Federated averaging: the new global model is the global plus the clients' mean delta.

    >>> FedAvg().apply([np.ones(1, np.float32)], [np.array([0.5], np.float32)])[0].tolist()
    [1.5]
    """

    def apply(self, global_weights: list[np.ndarray], mean_delta: list[np.ndarray]) -> list[np.ndarray]:
        """The next global weights."""
        _check_lists(global_weights, mean_delta)
        return _added(global_weights, mean_delta)

    def client_settings(self) -> dict[str, Any]:
        """Extra training settings sent to every client (the task's ``settings``)."""
        return {"proxMu": 0.0}

    def state_dict(self) -> dict[str, Any]:
        """The strategy's state (numpy arrays and scalars) for a checkpoint."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restores what ``state_dict`` returned."""

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments, with the strategy's name under ``"name"``."""
        return {"name": type(self).__name__}


class FedProx(FedAvg):
    """FedAvg whose clients minimise ``loss + mu/2·||w - w_global||²`` (Li et al. 2020); the server step
    is FedAvg's.

    >>> FedProx(0.01).client_settings()
    {'proxMu': 0.01}
    """

    def __init__(self, mu: float = 0.01):
        if not (np.isfinite(mu) and mu >= 0):
            raise ValueError(f"FedProx: mu must be a finite number >= 0, got {mu!r}")
        self.mu = float(mu)

    def client_settings(self) -> dict[str, Any]:
        return {"proxMu": self.mu}

    def get_config(self) -> dict[str, Any]:
        return {"name": "FedProx", "mu": self.mu}


class _FedOpt(FedAvg):
    """Reddi et al.'s server optimizers: the subclasses differ only in how ``v`` is updated."""

    def __init__(self, learning_rate: float, beta_1: float, beta_2: float, tau: float):
        cls = type(self).__name__
        for name, value in (("learning_rate", learning_rate), ("tau", tau)):
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"{cls}: {name} must be a finite number > 0, got {value!r}")
        for name, value in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0 <= value < 1:
                raise ValueError(f"{cls}: {name} must be in [0, 1), got {value!r}")
        self.learning_rate, self.beta_1, self.beta_2, self.tau = map(float, (learning_rate, beta_1, beta_2, tau))
        self.m: list[np.ndarray] | None = None
        self.v: list[np.ndarray] | None = None
        self.iterations = 0

    def _second_moment(self, v: np.ndarray, d2: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def apply(self, global_weights: list[np.ndarray], mean_delta: list[np.ndarray]) -> list[np.ndarray]:
        _check_lists(global_weights, mean_delta)
        deltas = [np.asarray(d, np.float64) for d in mean_delta]
        if self.m is None or self.v is None:
            self.m = [np.zeros_like(d) for d in deltas]
            self.v = [np.zeros_like(d) for d in deltas]
        self.m = [self.beta_1 * m + (1 - self.beta_1) * d for m, d in zip(self.m, deltas, strict=True)]
        self.v = [self._second_moment(v, d * d) for v, d in zip(self.v, deltas, strict=True)]
        self.iterations += 1
        return _added(global_weights, [self.learning_rate * m / (np.sqrt(v) + self.tau)
                                       for m, v in zip(self.m, self.v, strict=True)])

    def state_dict(self) -> dict[str, Any]:
        state: dict[str, Any] = {"iterations": self.iterations}
        if self.m is not None and self.v is not None:
            state.update({f"m/{i}": a.copy() for i, a in enumerate(self.m)})
            state.update({f"v/{i}": a.copy() for i, a in enumerate(self.v)})
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.iterations = int(state.get("iterations", 0))
        count = sum(1 for k in state if k.startswith("m/"))
        if count:
            self.m = [np.asarray(state[f"m/{i}"], np.float64).copy() for i in range(count)]
            self.v = [np.asarray(state[f"v/{i}"], np.float64).copy() for i in range(count)]
        else:
            self.m = self.v = None

    def get_config(self) -> dict[str, Any]:
        return {"name": type(self).__name__, "learning_rate": self.learning_rate, "beta_1": self.beta_1,
                "beta_2": self.beta_2, "tau": self.tau}


class FedAdagrad(_FedOpt):
    """Server Adagrad: ``v += Δ²``.

    >>> s = FedAdagrad(learning_rate=0.1, tau=1e-3)
    >>> s.apply([np.zeros(1)], [np.array([0.2])])[0].round(4).tolist()
    [0.0995]
    """

    def __init__(self, learning_rate: float = 0.1, beta_1: float = 0.0, beta_2: float = 0.0, tau: float = 1e-3):
        super().__init__(learning_rate, beta_1, beta_2, tau)

    def _second_moment(self, v: np.ndarray, d2: np.ndarray) -> np.ndarray:
        return v + d2


class FedAdam(_FedOpt):
    """Server Adam (without bias correction, as in Reddi et al. 2021): ``v = β2·v + (1-β2)·Δ²``."""

    def __init__(self, learning_rate: float = 0.01, beta_1: float = 0.9, beta_2: float = 0.99, tau: float = 1e-3):
        super().__init__(learning_rate, beta_1, beta_2, tau)

    def _second_moment(self, v: np.ndarray, d2: np.ndarray) -> np.ndarray:
        return self.beta_2 * v + (1 - self.beta_2) * d2


class FedYogi(_FedOpt):
    """Server Yogi: ``v = v - (1-β2)·Δ²·sign(v - Δ²)`` (v grows additively, never faster than Adagrad)."""

    def __init__(self, learning_rate: float = 0.01, beta_1: float = 0.9, beta_2: float = 0.99, tau: float = 1e-3):
        super().__init__(learning_rate, beta_1, beta_2, tau)

    def _second_moment(self, v: np.ndarray, d2: np.ndarray) -> np.ndarray:
        return v - (1 - self.beta_2) * d2 * np.sign(v - d2)


_BY_NAME = {"FedAvg": FedAvg, "FedProx": FedProx, "FedAdagrad": FedAdagrad, "FedAdam": FedAdam, "FedYogi": FedYogi}


def get(strategy: str | dict | FedAvg | None) -> FedAvg:
    """A strategy from an instance, a name (``"fedavg"``, ``"FedAdam"``...) or a ``get_config()`` dict.

    >>> get({"name": "FedAdam", "learning_rate": 0.1}).get_config()["learning_rate"]
    0.1
    """
    if strategy is None:
        return FedAvg()
    if isinstance(strategy, FedAvg):
        return strategy
    if isinstance(strategy, str):
        strategy = {"name": strategy}
    if isinstance(strategy, dict):
        cfg = dict(strategy)
        name = str(cfg.pop("name", ""))
        cls = {k.lower(): v for k, v in _BY_NAME.items()}.get(name.lower())
        if cls is None:
            raise ValueError(f"strategy: unknown name {name!r}; expected one of {sorted(_BY_NAME)}")
        return cls(**cfg)
    raise TypeError(f"strategy must be a strategy object, a name or a config dict, got {type(strategy).__name__}")
