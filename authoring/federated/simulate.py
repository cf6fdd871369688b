"""Federated learning simulated in one process: many clients, one model, the same strategies and DP as
the server.

Each round: ``clients_per_round`` clients are drawn uniformly without replacement (from a generator
seeded by ``seed``); each trains from the global weights with ``train_local``'s SGD (numpy backend:
one after another; jax backend: all together, ``vmap``-ed and sharded over the devices, see
``webgrad.federated.local_jax``); the deltas are averaged (weighted by example count, or with ``dp``:
clipped, summed, noised and divided by the expected clients per round) and the strategy turns the mean
delta into the next global model. With ``eval_data`` the global model is evaluated after every round.

Only the trainable weights are federated; non-trainable ones (BatchNorm statistics) stay the model's.

>>> import webgrad as wg
>>> m = wg.Sequential([wg.layers.Input((4,)), wg.layers.Dense(3, activation="softmax")])
>>> m.compile(loss="sparse_categorical_crossentropy")
>>> rng = np.random.default_rng(0)
>>> clients = [(rng.normal(size=(20, 4)).astype(np.float32), rng.integers(0, 3, 20)) for _ in range(5)]
>>> h = simulate(m, clients, rounds=2, clients_per_round=3, local_epochs=1, batch_size=5, learning_rate=0.1)
>>> len(h.rounds), sorted(h.history)[:3]
(2, ['client_accuracy', 'client_loss', 'clients'])
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from webgrad import losses as wg_losses
from webgrad.federated import strategies as wg_strategies
from webgrad.federated.dp import DPFedAvg
from webgrad.federated.local import LocalResult, check_model, check_settings, correct_count, train_local
from webgrad.raw_ops import no_grad


@dataclass
class History:
    """The rounds of a simulation: ``rounds`` holds one dict per round (``round``, ``clients``,
    ``client_loss``, ``client_accuracy``, ``loss`` and ``accuracy`` on ``eval_data``, ``epsilon`` and
    ``clip_norm`` with DP, ``seconds``); ``history`` is the same as lists by key, as Keras's History."""

    rounds: list[dict[str, Any]] = field(default_factory=list)

    @property
    def history(self) -> dict[str, list[Any]]:
        keys = sorted({k for r in self.rounds for k in r})
        return {k: [r.get(k) for r in self.rounds] for k in keys}


def _seed(*parts: int) -> int:
    """A 32-bit seed from the run's seed, the round and the client: reproducible, independent streams."""
    return int(np.random.SeedSequence(list(parts)).generate_state(1)[0])


def _check_clients(client_data: Any, clients_per_round: int) -> list[tuple[np.ndarray, np.ndarray]]:
    if not isinstance(client_data, list | tuple) or not client_data:
        raise ValueError("client_data must be a non-empty list of (x, y) pairs, one per client")
    clients = []
    for i, pair in enumerate(client_data):
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise ValueError(f"client_data[{i}] must be an (x, y) pair")
        x, y = np.asarray(pair[0]), np.asarray(pair[1])
        if len(x) != len(y):
            raise ValueError(f"client_data[{i}]: x has {len(x)} examples but y has {len(y)}")
        clients.append((x, y))
    if isinstance(clients_per_round, bool) or not isinstance(clients_per_round, int) \
            or not 1 <= clients_per_round <= len(clients):
        raise ValueError(f"clients_per_round must be an int in [1, {len(clients)}] (the number of clients), "
                         f"got {clients_per_round!r}")
    return clients


def _evaluate(model: Any, predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray, y: np.ndarray) -> dict:
    """The global model's mean loss (the compiled loss, without regularization) and accuracy on (x, y)."""
    out = predict(x)
    per_example = wg_losses.per_example(model.compiled_losses[0], y, out.astype(np.float32))
    loss = float(np.mean(np.asarray(getattr(per_example, "data", per_example))))
    return {"loss": loss, "accuracy": float(correct_count(out, y)) / len(x)}


def _set_weights(model: Any, weights: list[np.ndarray]) -> None:
    for w, v in zip(model.trainable_weights, weights, strict=True):
        w.data = v.copy()


def _numpy_predict(model: Any, batch_size: int = 1000) -> Callable[[np.ndarray], np.ndarray]:
    def predict(x: np.ndarray) -> np.ndarray:
        with no_grad():
            return np.concatenate([np.asarray(model._forward([x[i:i + batch_size]], training=False)[0].data)
                                   for i in range(0, len(x), batch_size)])

    return predict


def simulate(model: Any, client_data: list[tuple[np.ndarray, np.ndarray]], *, rounds: int, clients_per_round: int,
             strategy: Any = None, dp: DPFedAvg | None = None, local_epochs: int = 1, batch_size: int = 10,
             learning_rate: float = 0.1, eval_data: tuple[np.ndarray, np.ndarray] | None = None, seed: int = 0,
             backend: str = "numpy", on_round: Callable[[dict[str, Any]], Any] | None = None) -> History:
    """Runs ``rounds`` rounds of federated training of ``model`` (compiled with a loss) over the clients
    of ``client_data`` (``(x, y)`` pairs, e.g. from ``webgrad.federated.partition``); the model ends
    with the final global weights. ``strategy`` is a strategy object, name or config (default FedAvg;
    FedProx's ``mu`` reaches the clients). ``dp`` is a ``DPFedAvg`` (its ``expected_clients_per_round``
    must be ``clients_per_round``). ``on_round(record)`` is called after each round; returning True
    stops the simulation there.
    """
    check_model(model)
    check_settings(local_epochs, batch_size, learning_rate, 0.0)
    clients = _check_clients(client_data, clients_per_round)
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 0:
        raise ValueError(f"rounds must be an int >= 0, got {rounds!r}")
    if backend not in ("numpy", "jax"):
        raise ValueError(f"backend must be 'numpy' or 'jax', got {backend!r}")
    if dp is not None:
        if not isinstance(dp, DPFedAvg):
            raise TypeError(f"dp must be a webgrad.federated.dp.DPFedAvg or None, got {type(dp).__name__}")
        if dp.expected_clients_per_round != clients_per_round:
            raise ValueError(f"dp.expected_clients_per_round={dp.expected_clients_per_round} must equal "
                             f"clients_per_round={clients_per_round}")
        if dp.total_clients is not None and dp.total_clients != len(clients):
            raise ValueError(f"dp.total_clients={dp.total_clients} must equal the number of clients ({len(clients)})")
    strategy = wg_strategies.get(strategy)
    mu = float(strategy.client_settings().get("proxMu", 0.0))
    rng = np.random.default_rng(_seed(seed, 0))
    noise_rng = np.random.default_rng(_seed(seed, 1))
    weights = [np.array(w.data, np.float32) for w in model.trainable_weights]
    settings = {"epochs": local_epochs, "batch_size": batch_size, "learning_rate": learning_rate, "prox_mu": mu}

    if backend == "jax":
        from webgrad.federated.local_jax import JaxClients

        jc = JaxClients(model)
        # every round padded to the largest client: one compiled program for the whole run
        largest = max(len(x) for x, _ in clients)
        pad = (largest, local_epochs * -(-largest // batch_size))

        def train(chosen: list[int], r: int) -> list[LocalResult]:
            return jc.train(weights, [clients[c] for c in chosen], seeds=[_seed(seed, 2, r, c) for c in chosen],
                            pad_to=pad, **settings)

        def predict(x: np.ndarray) -> np.ndarray:
            return jc.predict(weights, x)
    else:
        numpy_predict = _numpy_predict(model)

        def train(chosen: list[int], r: int) -> list[LocalResult]:
            return [train_local(model, *clients[c], seed=_seed(seed, 2, r, c), **settings) for c in chosen]

        def predict(x: np.ndarray) -> np.ndarray:
            return numpy_predict(x)

    history = History()
    try:
        for r in range(1, rounds + 1):
            start = time.perf_counter()
            chosen = sorted(int(c) for c in rng.choice(len(clients), clients_per_round, replace=False))
            results = train(chosen, r)
            record: dict[str, Any] = {"round": r, "clients": len(results)}
            if dp is None:
                mean = wg_strategies.weighted_mean([res.delta for res in results],
                                                   [res.num_examples for res in results])
            else:
                record["clip_norm"] = dp.clip_norm
                clipped = [dp.clip(res.delta) for res in results]
                total = [sum(np.asarray(c[0][k], np.float64) for c in clipped) for k in range(len(weights))]
                mean = dp.aggregate(total, sum(int(c[1]) for c in clipped), len(results), noise_rng)
                record["clipped"] = sum(int(c[1]) for c in clipped)
                record["epsilon"] = dp.epsilon()
            weights = [np.asarray(w, np.float32) for w in strategy.apply(weights, mean)]
            _set_weights(model, weights)  # the numpy clients and evaluation read the model's weights
            n = sum(res.num_examples for res in results)
            for key in ("loss", "accuracy"):
                vals = [res.metrics.get(key, 0.0) * res.num_examples for res in results]
                record[f"client_{key}"] = float(sum(vals) / n) if n else float("nan")
            if eval_data is not None:
                record.update(_evaluate(model, predict, np.asarray(eval_data[0]), np.asarray(eval_data[1])))
            record["seconds"] = time.perf_counter() - start
            history.rounds.append(record)
            if on_round is not None and on_round(record) is True:
                break
    finally:
        _set_weights(model, weights)
    return history
