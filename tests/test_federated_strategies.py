"""Aggregation strategies checked against flwr 1.42's strategies (an independent implementation).

flwr aggregates *parameters* (the example-weighted mean of the clients' models), webgrad the *mean delta*;
the two agree because Σ nᵢ(wᵢ - w)/Σ nᵢ = Σ nᵢwᵢ/Σ nᵢ - w. flwr's FedAdam multiplies η by Adam's bias
correction √(1-β2^(r+1))/(1-β1^(r+1)) (round r from 1), which Reddi et al.'s Algorithm 2 (and webgrad) do
not: the comparison sets flwr's η per round to cancel it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from webgrad.federated import strategies as st

flwr_strategy = pytest.importorskip("flwr.server.strategy")
flwr_common = pytest.importorskip("flwr.common")

SHAPES = [(3, 4), (4,), (2, 2, 3)]


def _weights(rng: np.random.Generator) -> list[np.ndarray]:
    return [rng.normal(size=s) for s in SHAPES]


def _fit_res(weights: list[np.ndarray], n: int):
    return flwr_common.FitRes(flwr_common.Status(flwr_common.Code.OK, ""),
                              flwr_common.ndarrays_to_parameters(weights), n, {})


def _round(rng: np.random.Generator, global_w: list[np.ndarray], clients: int = 4) -> tuple[list, list, list]:
    """Client models near ``global_w`` with example counts; returns (client weights, counts, deltas)."""
    models = [[w + 0.1 * rng.normal(size=w.shape) for w in global_w] for _ in range(clients)]
    counts = [int(c) for c in rng.integers(5, 50, clients)]
    deltas = [[m - g for m, g in zip(mw, global_w, strict=True)] for mw in models]
    return models, counts, deltas


def _flwr_step(strategy, r: int, models: list, counts: list) -> list[np.ndarray]:
    params, _ = strategy.aggregate_fit(r, [(None, _fit_res(m, n)) for m, n in zip(models, counts, strict=True)], [])
    return flwr_common.parameters_to_ndarrays(params)


def _close(a: list[np.ndarray], b: list[np.ndarray]) -> None:
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y, rtol=0, atol=1e-6)


def test_fedavg_matches_flwr_weighted_by_examples() -> None:
    rng = np.random.default_rng(0)
    g = _weights(rng)
    models, counts, deltas = _round(rng, g, clients=5)
    ours = st.FedAvg().apply(g, st.weighted_mean(deltas, counts))
    theirs = _flwr_step(flwr_strategy.FedAvg(), 1, models, counts)
    _close(ours, theirs)
    # and the weighting matters: the unweighted mean is a different model
    unweighted = st.FedAvg().apply(g, st.weighted_mean(deltas, [1] * 5))
    assert max(np.abs(a - b).max() for a, b in zip(unweighted, theirs, strict=True)) > 1e-3


def test_fedprox_server_step_is_fedavg_and_mu_goes_to_clients() -> None:
    rng = np.random.default_rng(1)
    g = _weights(rng)
    models, counts, deltas = _round(rng, g)
    ours = st.FedProx(mu=0.1).apply(g, st.weighted_mean(deltas, counts))
    theirs = _flwr_step(flwr_strategy.FedProx(proximal_mu=0.1), 1, models, counts)
    _close(ours, theirs)
    assert st.FedProx(mu=0.1).client_settings() == {"proxMu": 0.1}
    assert st.FedAvg().client_settings() == {"proxMu": 0.0}


@pytest.mark.parametrize(("ours_cls", "flwr_cls", "kwargs"), [
    (st.FedAdam, "FedAdam", {"beta_1": 0.9, "beta_2": 0.99}),
    (st.FedYogi, "FedYogi", {"beta_1": 0.9, "beta_2": 0.99}),
    (st.FedAdagrad, "FedAdagrad", {}),
])
def test_server_optimizers_match_flwr_over_rounds(ours_cls, flwr_cls, kwargs) -> None:
    rng = np.random.default_rng(2)
    g = _weights(rng)
    eta, tau = 0.05, 1e-3
    ours = ours_cls(learning_rate=eta, tau=tau, **kwargs)
    theirs = getattr(flwr_strategy, flwr_cls)(initial_parameters=flwr_common.ndarrays_to_parameters(g),
                                              eta=eta, tau=tau, **kwargs)
    ours_w = g
    for r in range(1, 6):
        models, counts, deltas = _round(rng, ours_w)
        ours_w = ours.apply(ours_w, st.weighted_mean(deltas, counts))
        if flwr_cls == "FedAdam":  # cancel flwr's bias correction (see the module docstring)
            b1, b2 = kwargs["beta_1"], kwargs["beta_2"]
            theirs.eta = eta / (math.sqrt(1 - b2 ** (r + 1)) / (1 - b1 ** (r + 1)))
        _close(ours_w, _flwr_step(theirs, r, models, counts))


def test_server_optimizer_state_round_trips() -> None:
    rng = np.random.default_rng(3)
    g = _weights(rng)
    a = st.FedYogi(learning_rate=0.1)
    _, counts, deltas = _round(rng, g)
    g = a.apply(g, st.weighted_mean(deltas, counts))
    b = st.FedYogi(**{k: v for k, v in a.get_config().items() if k != "name"})
    b.load_state_dict(a.state_dict())
    _, counts, deltas = _round(rng, g)
    mean = st.weighted_mean(deltas, counts)
    _close(a.apply(g, mean), b.apply(g, mean))
    assert b.state_dict()["iterations"] == 2
    fresh = st.FedYogi(learning_rate=0.1)
    assert max(np.abs(x - y).max() for x, y in zip(fresh.apply(g, mean), a.apply(g, mean), strict=True)) > 1e-6


def test_get_builds_strategies_from_names_and_configs() -> None:
    assert isinstance(st.get(None), st.FedAvg)
    assert isinstance(st.get("fedyogi"), st.FedYogi)
    cfg = st.FedAdam(learning_rate=0.3, tau=0.01).get_config()
    assert st.get(cfg).get_config() == cfg
    with pytest.raises(ValueError, match="unknown name 'fedsgd'"):
        st.get("fedsgd")
    with pytest.raises(TypeError, match="strategy must be"):
        st.get(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(("make", "match"), [
    (lambda: st.FedProx(mu=-1), "mu must be"),
    (lambda: st.FedAdam(learning_rate=0), "learning_rate must be"),
    (lambda: st.FedYogi(beta_2=1.0), r"beta_2 must be in \[0, 1\)"),
    (lambda: st.FedAdagrad(tau=-1e-3), "tau must be"),
    (lambda: st.weighted_mean([], []), "deltas is empty"),
    (lambda: st.weighted_mean([[np.zeros(2)]], [1, 2]), "1 deltas but 2 weights"),
    (lambda: st.weighted_mean([[np.zeros(2)], [np.zeros(3)]], [1, 2]), "delta 1 has shapes"),
    (lambda: st.weighted_mean([[np.zeros(2)]], [0]), "not all 0"),
    (lambda: st.FedAvg().apply([np.zeros(2)], [np.zeros(3)]), "delta tensor 0 has shape"),
])
def test_bad_arguments_raise(make, match) -> None:
    with pytest.raises(ValueError, match=match):
        make()
