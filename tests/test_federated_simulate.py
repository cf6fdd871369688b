"""Local training (SGD + FedProx's term against a closed-form gradient), and ``simulate``: numpy and jax
backends agree, the jax clients shard over several devices, accuracy rises on digits, bad input raises."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import webgrad as wg
from webgrad.federated import partition
from webgrad.federated.dp import DPFedAvg
from webgrad.federated.local import batch_plan, train_local
from webgrad.federated.simulate import simulate
from webgrad.federated.strategies import FedAdam, FedProx


def _digits(n: int = 600) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    (xtr, ytr), (xte, yte) = wg.datasets.digits()
    return xtr.reshape(len(xtr), -1)[:n] / 16, ytr[:n], xte.reshape(len(xte), -1) / 16, yte


def _mlp(hidden: int = 16) -> wg.Model:
    wg.layers.clear_session()
    wg.set_seed(0)
    m = wg.Sequential([wg.layers.Input((64,)), wg.layers.Dense(hidden, activation="relu"),
                       wg.layers.Dense(10, activation="softmax")])
    m.compile(loss="sparse_categorical_crossentropy")
    return m


def _linear() -> wg.Model:
    wg.layers.clear_session()
    wg.set_seed(1)
    m = wg.Sequential([wg.layers.Input((3,)), wg.layers.Dense(1)])
    m.compile(loss="mse")
    return m


@pytest.mark.parametrize("mu", [0.0, 0.5])
def test_train_local_is_sgd_with_the_proximal_term(mu: float) -> None:
    # least squares has a closed-form gradient: d/dw mean((xw + b - y)^2) = 2/B x^T r, d/db = 2/B sum(r)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(23, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]]) + 0.3).astype(np.float32)
    m = _linear()
    w0, b0 = (np.array(v.data, np.float64) for v in m.trainable_weights)
    res = train_local(m, x, y, epochs=3, batch_size=5, learning_rate=0.05, prox_mu=mu, seed=4)
    w, b = w0.copy(), b0.copy()
    for idx in batch_plan(len(x), 3, 5, seed=4):
        r = x[idx] @ w + b - y[idx]
        gw, gb = 2 / len(idx) * x[idx].T @ r, 2 / len(idx) * r.sum(axis=0)
        w, b = w - 0.05 * (gw + mu * (w - w0)), b - 0.05 * (gb + mu * (b - b0))
    np.testing.assert_allclose(res.delta[0], w - w0, atol=1e-5)
    np.testing.assert_allclose(res.delta[1], b - b0, atol=1e-5)
    assert res.num_examples == 23 and res.metrics["loss"] > 0
    # the model is left at the global weights
    np.testing.assert_array_equal(m.trainable_weights[0].data, w0.astype(np.float32))


def test_the_proximal_term_pulls_towards_the_global_model() -> None:
    x, y, _, _ = _digits(200)
    norms = [float(np.sqrt(sum(np.square(d).sum() for d in train_local(
        _mlp(), x, y, epochs=3, batch_size=10, learning_rate=0.2, prox_mu=mu, seed=0).delta))) for mu in (0.0, 1.0)]
    assert norms[1] < 0.9 * norms[0]


def _clients(n_clients: int = 6) -> list[tuple[np.ndarray, np.ndarray]]:
    x, y, _, _ = _digits(400)
    # unequal sizes: the jax backend pads examples, steps and short batches
    return [(x[p], y[p]) for p in partition.dirichlet(y, n_clients, alpha=0.5, seed=0)]


def test_numpy_and_jax_simulations_agree() -> None:
    pytest.importorskip("jax")
    clients = _clients()
    assert len({len(c[0]) for c in clients}) > 1
    _, _, xte, yte = _digits()
    runs = {}
    for backend in ("numpy", "jax"):
        for name, kw in (("prox", {"strategy": FedProx(0.1)}),
                         ("dp", {"strategy": FedAdam(learning_rate=0.05),
                                 "dp": DPFedAvg(0.5, clip_norm=1.0, expected_clients_per_round=3, total_clients=6,
                                                delta=1e-3)})):
            m = _mlp()
            h = simulate(m, clients, rounds=2, clients_per_round=3, local_epochs=2, batch_size=16,
                         learning_rate=0.1, eval_data=(xte, yte), backend=backend, seed=5, **kw)
            runs[backend, name] = (h, [np.array(w.data) for w in m.trainable_weights])
    for name in ("prox", "dp"):
        (hn, wn), (hj, wj) = runs["numpy", name], runs["jax", name]
        for a, b in zip(wn, wj, strict=True):
            np.testing.assert_allclose(a, b, atol=1e-4)
        for key in ("client_loss", "client_accuracy", "loss", "accuracy"):
            np.testing.assert_allclose(hn.history[key], hj.history[key], atol=1e-4)
    assert runs["numpy", "dp"][0].history["epsilon"][1] > runs["numpy", "dp"][0].history["epsilon"][0] > 0


SHARDED = r"""
import json
import numpy as np
import jax
import webgrad as wg
from webgrad.federated.local_jax import JaxClients
from webgrad.federated.local import train_local

assert len(jax.devices()) == 4, jax.devices()
rng = np.random.default_rng(0)
clients = [(rng.normal(size=(n, 5)).astype(np.float32), rng.integers(0, 3, n)) for n in (9, 14, 6, 11, 7)]
wg.set_seed(0)
m = wg.Sequential([wg.layers.Input((5,)), wg.layers.Dense(8, activation="tanh"),
                   wg.layers.Dense(3, activation="softmax")])
m.compile(loss="sparse_categorical_crossentropy")
g = [np.array(w.data) for w in m.trainable_weights]
jc = JaxClients(m)
got = jc.train(g, clients, epochs=2, batch_size=4, learning_rate=0.1, prox_mu=0.2, seeds=[1, 2, 3, 4, 5])
want = [train_local(m, x, y, epochs=2, batch_size=4, learning_rate=0.1, prox_mu=0.2, seed=s)
        for (x, y), s in zip(clients, [1, 2, 3, 4, 5])]
err = max(float(np.abs(a - b).max()) for r, t in zip(got, want) for a, b in zip(r.delta, t.delta))
print("RESULT" + json.dumps({"devices": jc.par.size, "err": err, "n": [r.num_examples for r in got]}))
"""


def test_jax_clients_shard_over_devices() -> None:
    pytest.importorskip("jax")
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4", "JAX_PLATFORMS": "cpu"}
    proc = subprocess.run([sys.executable, "-c", SHARDED], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.split("RESULT", 1)[1])
    assert out["devices"] == 4
    assert out["n"] == [9, 14, 6, 11, 7]  # 5 clients padded to 8 over 4 devices, the padding dropped
    assert out["err"] < 1e-5


def test_accuracy_rises_with_iid_clients() -> None:
    x, y, xte, yte = _digits(1200)
    clients = [(x[p], y[p]) for p in partition.iid(y, 20, seed=0)]
    seen = []
    h = simulate(_mlp(32), clients, rounds=5, clients_per_round=5, local_epochs=2, batch_size=10, learning_rate=0.2,
                 eval_data=(xte, yte), on_round=lambda r: seen.append(r["round"]))
    acc = h.history["accuracy"]
    assert seen == [1, 2, 3, 4, 5]
    assert acc[-1] > 0.8 and acc[-1] > acc[0] + 0.2


def test_on_round_returning_true_stops() -> None:
    h = simulate(_mlp(), _clients(), rounds=5, clients_per_round=2, on_round=lambda r: r["round"] == 2)
    assert [r["round"] for r in h.rounds] == [1, 2]


def test_simulation_is_reproducible_and_leaves_the_final_weights() -> None:
    clients = _clients()
    a, b = _mlp(), _mlp()
    ha = simulate(a, clients, rounds=2, clients_per_round=2, seed=3)
    hb = simulate(b, clients, rounds=2, clients_per_round=2, seed=3)
    assert ha.history["client_loss"] == hb.history["client_loss"]
    assert np.array_equal(a.trainable_weights[0].data, b.trainable_weights[0].data)
    assert not np.array_equal(a.trainable_weights[0].data, _mlp().trainable_weights[0].data)


def test_bad_arguments_raise() -> None:
    clients = _clients()
    m = _mlp()
    bad = [
        ({"rounds": -1}, "rounds must be an int >= 0"),
        ({"clients_per_round": 7}, r"clients_per_round must be an int in \[1, 6\]"),
        ({"clients_per_round": 0}, "clients_per_round must be"),
        ({"backend": "torch"}, "backend must be 'numpy' or 'jax'"),
        ({"local_epochs": 0}, "epochs must be an int >= 1"),
        ({"batch_size": 2.5}, "batch_size must be an int"),
        ({"learning_rate": -0.1}, "learning_rate must be a finite number > 0"),
        ({"strategy": "fedsgd"}, "unknown name 'fedsgd'"),
        ({"dp": DPFedAvg(1.0, clip_norm=1.0, expected_clients_per_round=3)},
         "dp.expected_clients_per_round=3 must equal clients_per_round=2"),
        ({"dp": DPFedAvg(1.0, clip_norm=1.0, expected_clients_per_round=2, total_clients=60, delta=1e-3)},
         r"dp.total_clients=60 must equal the number of clients \(6\)"),
    ]
    for kwargs, match in bad:
        args = {"rounds": 1, "clients_per_round": 2, **kwargs}
        with pytest.raises(ValueError, match=match):
            simulate(m, clients, **args)
    with pytest.raises(TypeError, match=r"dp must be a webgrad\.federated\.dp\.DPFedAvg"):
        simulate(m, clients, rounds=1, clients_per_round=2, dp={"noise_multiplier": 1.0})
    with pytest.raises(ValueError, match="client_data must be a non-empty list"):
        simulate(m, [], rounds=1, clients_per_round=1)
    with pytest.raises(ValueError, match=r"client_data\[1\] must be an \(x, y\) pair"):
        simulate(m, [clients[0], clients[1][0]], rounds=1, clients_per_round=1)
    with pytest.raises(ValueError, match=r"client_data\[0\]: x has 3 examples but y has 2"):
        simulate(m, [(clients[0][0][:3], clients[0][1][:2])], rounds=1, clients_per_round=1)
    uncompiled = wg.Sequential([wg.layers.Input((64,)), wg.layers.Dense(10)])
    with pytest.raises(ValueError, match=r"needs a loss: call model.compile\(loss=...\)"):
        simulate(uncompiled, clients, rounds=1, clients_per_round=1)
    with pytest.raises(ValueError, match="prox_mu must be a finite number >= 0"):
        train_local(m, *clients[0], epochs=1, batch_size=4, learning_rate=0.1, prox_mu=-1.0)
    with pytest.raises(ValueError, match="x has 5 examples but y has 4"):
        train_local(m, clients[0][0][:5], clients[0][1][:4], epochs=1, batch_size=4, learning_rate=0.1)
    with pytest.raises(FloatingPointError, match="local training diverged"):
        train_local(m, np.full_like(clients[0][0], np.nan), clients[0][1], epochs=1, batch_size=4, learning_rate=0.1)
