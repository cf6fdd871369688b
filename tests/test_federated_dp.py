"""DP-FedAvg: clipping, noise scale and ε against direct computations (dp-accounting called here, flwr's
DP helpers), adaptive clipping converging to its target quantile, and every refused configuration."""

from __future__ import annotations

import math

import numpy as np
import pytest

from webgrad.federated.dp import AdaptiveClipping, DPFedAvg, l2_norm

flwr_dp = pytest.importorskip("flwr.supercore.differential_privacy")


def _fixed(**kw: object) -> DPFedAvg:
    args: dict = {"noise_multiplier": 1.1, "clip_norm": 0.5, "expected_clients_per_round": 10, "total_clients": 1000}
    args.update(kw)
    return DPFedAvg(**args)


def test_clip_scales_the_whole_update_like_flwr() -> None:
    rng = np.random.default_rng(0)
    update = [rng.normal(size=(4, 3)), rng.normal(size=5)]
    dp = _fixed(clip_norm=0.7)
    clipped, was = dp.clip(update)
    theirs = [a.copy() for a in update]
    theirs_bit = flwr_dp.adaptive_clip_inputs_inplace(theirs, 0.7)  # True when scaled down, as ours
    assert was is True and theirs_bit is True
    for a, b in zip(clipped, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    assert l2_norm(clipped) == pytest.approx(0.7, rel=1e-12)
    # the direction is kept, and a flat vector clips the same
    flat, _ = dp.clip(np.concatenate([a.ravel() for a in update]))
    np.testing.assert_allclose(flat, np.concatenate([a.ravel() for a in clipped]), atol=1e-12)
    small = [a * 1e-3 for a in update]
    same, was_small = dp.clip(small)
    assert was_small is False and same is small


def test_clip_rejects_non_finite_updates() -> None:
    with pytest.raises(ValueError, match="NaN or Inf"):
        _fixed().clip(np.array([1.0, np.nan]))


def test_noise_is_gaussian_on_the_sum_over_a_fixed_denominator() -> None:
    dp = _fixed(noise_multiplier=1.3, clip_norm=0.5, expected_clients_per_round=20)
    total = np.linspace(-1, 1, 50_000)
    # fewer clients answered (12) than expected (20): the denominator stays K = 20
    mean = dp.aggregate(total, clipped_count_bits=3, num_clients=12, rng=np.random.default_rng(7))
    direct = (total + np.random.default_rng(7).normal(0.0, 1.3 * 0.5, total.shape)) / 20
    np.testing.assert_allclose(mean, direct, rtol=0, atol=1e-12)
    # the spread is the one flwr computes for the mean (z·C/K), measured
    assert np.std(mean - total / 20) == pytest.approx(flwr_dp.compute_stdv(1.3, 0.5, 20), rel=0.02)
    assert dp.rounds == 1
    # a list of tensors gets the same treatment tensor by tensor
    parts = dp.aggregate([np.zeros((2, 3)), np.zeros(4)], 0, 20, np.random.default_rng(1))
    assert [p.shape for p in parts] == [(2, 3), (4,)]


def test_epsilon_matches_dp_accounting_called_directly() -> None:
    from dp_accounting import dp_event
    from dp_accounting.rdp import rdp_privacy_accountant

    dp = _fixed(noise_multiplier=1.1, expected_clients_per_round=100, total_clients=10_000, delta=1e-6)
    for rounds in (1, 50, 400):
        acc = rdp_privacy_accountant.RdpAccountant()
        acc.compose(dp_event.SelfComposedDpEvent(
            dp_event.PoissonSampledDpEvent(0.01, dp_event.GaussianDpEvent(1.1)), rounds))
        assert dp.epsilon(rounds) == pytest.approx(acc.get_epsilon(1e-6), rel=1e-9)
    assert dp.epsilon(0) == 0.0
    # more noise, fewer rounds or a smaller sampling rate all spend less
    assert _fixed(noise_multiplier=2.0).epsilon(50) < _fixed(noise_multiplier=1.1).epsilon(50)
    assert _fixed(total_clients=5000).epsilon(50) < _fixed(total_clients=1000).epsilon(50)
    # without N there is no amplification: q = 1
    assert DPFedAvg(1.1, 0.5, expected_clients_per_round=10).sampling_rate == 1.0
    # epsilon() without rounds counts the rounds aggregated
    dp.aggregate(np.zeros(3), 0, 100, np.random.default_rng(0))
    assert dp.epsilon() == dp.epsilon(1)


def test_adaptive_noise_split_matches_flwr_and_composes_to_z() -> None:
    z, k, sigma_b = 0.8, 100, 5.0
    dp = DPFedAvg(z, adaptive=AdaptiveClipping(count_noise_multiplier=2 * sigma_b), expected_clients_per_round=k,
                  total_clients=10_000)
    _, theirs = flwr_dp.compute_adaptive_noise_params(z, k, sigma_b)
    assert dp.update_noise_multiplier == pytest.approx(theirs, rel=1e-12)
    # the two Gaussian releases compose to one of multiplier z: z^-2 = z_update^-2 + z_count^-2
    assert dp.update_noise_multiplier ** -2 + dp.count_noise_multiplier ** -2 == pytest.approx(z ** -2)
    # the paper's default count noise: s_b = K/20
    default = DPFedAvg(z, adaptive=AdaptiveClipping(), expected_clients_per_round=k)
    assert default.count_noise_multiplier == pytest.approx(2 * k / 20)
    assert default.noise_std() == pytest.approx(default.update_noise_multiplier * 0.1)


def test_adaptive_clip_step_is_the_papers_geometric_update() -> None:
    dp = DPFedAvg(0.5, adaptive=AdaptiveClipping(target_quantile=0.3, learning_rate=0.2, initial_norm=1.0,
                                                 count_noise_multiplier=4.0), expected_clients_per_round=50)
    new = dp.update_clip_norm(clipped_count=20, num_clients=50, rng=np.random.default_rng(3))
    noisy_unclipped = 30 + np.random.default_rng(3).normal(0.0, 2.0)
    assert new == pytest.approx(math.exp(-0.2 * (noisy_unclipped / 50 - 0.3)), rel=1e-12)


@pytest.mark.parametrize("target", [0.2, 0.5, 0.8])
def test_adaptive_clipping_converges_to_the_target_quantile(target: float) -> None:
    # clients' update norms are log-normal; the clip norm should settle where a fraction `target` of
    # them is unclipped, i.e. at the target quantile of the distribution
    k = 200
    dp = DPFedAvg(1.0, adaptive=AdaptiveClipping(target_quantile=target, learning_rate=0.2, initial_norm=0.01),
                  expected_clients_per_round=k, total_clients=10_000)
    rng = np.random.default_rng(11)
    tail = []
    for r in range(400):
        norms = rng.lognormal(mean=0.0, sigma=0.5, size=k)
        clipped = int(sum(dp.clip(np.array([n]))[1] for n in norms))
        dp.aggregate(np.zeros(1), clipped, k, rng)
        if r >= 300:
            tail.append(dp.clip_norm)
    expected = float(np.exp(0.5 * _normal_quantile(target)))  # the log-normal's quantile
    assert np.mean(tail) == pytest.approx(expected, rel=0.05)


def _normal_quantile(p: float) -> float:
    from statistics import NormalDist

    return NormalDist().inv_cdf(p)


def test_state_round_trips() -> None:
    a = DPFedAvg(1.0, adaptive=AdaptiveClipping(), expected_clients_per_round=100, total_clients=1000)
    a.aggregate(np.zeros(2), 80, 100, np.random.default_rng(0))
    b = DPFedAvg.from_config(a.get_config())
    b.load_state_dict(a.state_dict())
    assert (b.clip_norm, b.rounds, b.epsilon()) == (a.clip_norm, a.rounds, a.epsilon())
    assert b.clip_norm != 0.1  # it moved


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"noise_multiplier": 0.0}, "noise_multiplier must be a finite number > 0"),
    ({"noise_multiplier": -1.0}, "noise_multiplier must be"),
    ({"noise_multiplier": float("inf")}, "noise_multiplier must be"),
    ({"clip_norm": None}, "exactly one of clip_norm"),
    ({"adaptive": AdaptiveClipping()}, "exactly one of clip_norm"),
    ({"clip_norm": 0.0}, "clip_norm must be"),
    ({"expected_clients_per_round": 0}, "expected_clients_per_round must be an int >= 1"),
    ({"expected_clients_per_round": 2.5}, "expected_clients_per_round must be an int"),
    ({"expected_clients_per_round": 20, "total_clients": 10}, r"q = K/N = 2 must be at most 1"),
    ({"total_clients": 0}, "total_clients must be"),
    ({"delta": 0.0}, r"delta must be in \(0, 1\)"),
    ({"delta": 1.0}, r"delta must be in \(0, 1\)"),
    ({"delta": 1e-3, "total_clients": 1000}, "must be below 1/total_clients"),
    ({"clip_norm": None, "noise_multiplier": 2.0, "adaptive": AdaptiveClipping()},
     r"clipped-count noise multiplier \(1 = K/10, the default\) must exceed noise_multiplier=2"),
])
def test_unaccountable_configurations_are_refused(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        _fixed(**kwargs)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"target_quantile": 1.5}, "target_quantile must be in"),
    ({"learning_rate": 0.0}, "learning_rate must be"),
    ({"initial_norm": -1.0}, "initial_norm must be"),
    ({"count_noise_multiplier": 0.0}, "count_noise_multiplier must be"),
])
def test_bad_adaptive_settings_are_refused(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        AdaptiveClipping(**kwargs)


def test_bad_aggregate_calls_are_refused() -> None:
    dp = _fixed()
    with pytest.raises(ValueError, match="clipped_count_bits=5 must be in"):
        dp.aggregate(np.zeros(2), 5, 4)
    with pytest.raises(ValueError, match="fixed clip_norm"):
        dp.update_clip_norm(0, 4)
    with pytest.raises(ValueError, match="rounds must be >= 0"):
        dp.epsilon(-1)
