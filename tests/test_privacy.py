"""DP-SGD: per-example gradients, clipping, bounded contribution of each example, the accountant."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import webgrad as wg
from webgrad import layers, privacy
from webgrad.autodiff import gradients


def _model():
    tokens = wg.Input((4, 4, 2))
    h = layers.Conv2D(3, 3, padding="same", activation="tanh")(tokens)
    h = layers.DepthwiseConv2D(3, strides=2, padding="same")(h)
    h = layers.Flatten()(h)
    h = layers.LayerNormalization()(h)
    return wg.Model(tokens, layers.Dense(3, activation="softmax")(h))


def _per_example_loss(model, x, y):
    return wg.losses.get("sparse_categorical_crossentropy").call(y, model(x, training=True))


def test_per_example_gradients_match_one_example_at_a_time():
    model = _model()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 4, 4, 2)).astype(np.float32)
    y = rng.integers(0, 3, 5)
    per = gradients(_per_example_loss(model, x, y), model.trainable_weights, per_example=True)
    for i in range(5):
        single = gradients(_per_example_loss(model, x[i:i + 1], y[i:i + 1]), model.trainable_weights)
        for p, s in zip(per, single, strict=True):
            np.testing.assert_allclose(p[i], s, rtol=1e-4, atol=1e-6)


def test_each_examples_contribution_is_bounded_by_the_clip_norm():
    model = _model()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 4, 4, 2)).astype(np.float32)
    x[2] *= 1000  # an outlier with a huge gradient
    y = rng.integers(0, 3, 6)
    clip = 0.05
    per = gradients(_per_example_loss(model, x, y), model.trainable_weights, per_example=True)
    raw_norms = np.sqrt(sum((g.reshape(6, -1).astype(np.float64) ** 2).sum(1) for g in per))
    assert raw_norms.max() > 10 * clip  # clipping has real work to do
    clipped, norms = privacy.clip_per_example(per, clip)
    np.testing.assert_allclose(norms, raw_norms, rtol=1e-5)
    clipped_norms = np.sqrt(sum((g.reshape(6, -1).astype(np.float64) ** 2).sum(1) for g in clipped))
    assert np.all(clipped_norms <= clip * (1 + 1e-5))
    # removing any one example changes the summed (noise-free) update by at most the clip norm
    total = [g.sum(0) for g in clipped]
    for i in range(6):
        keep = [j for j in range(6) if j != i]
        sub, _ = privacy.clip_per_example([g[keep] for g in per], clip)
        diff = np.sqrt(sum(((t - s.sum(0)).astype(np.float64) ** 2).sum() for t, s in zip(total, sub, strict=True)))
        assert diff <= clip * (1 + 1e-5)


def test_noise_has_the_configured_scale():
    cfg = wg.DPConfig(l2_norm_clip=2.0, noise_multiplier=1.5)
    zeros = [np.zeros((10, 20000), np.float32)]
    (out,) = privacy.noisy_mean(zeros, cfg, np.random.default_rng(0))
    assert np.std(out) * 10 == pytest.approx(3.0, rel=0.03)  # std of the sum is multiplier * clip


def test_accountant_matches_published_figure_and_monotone():
    # Abadi et al. style MNIST setting: q = 256/60000, sigma = 1.1, 60 epochs, delta = 1e-5 gives
    # epsilon close to 3 under the RDP accountant (as reported for TF Privacy's MNIST tutorial).
    cfg = wg.DPConfig(noise_multiplier=1.1, delta=1e-5)
    steps = 60 * 60000 // 256
    eps = privacy.epsilon(cfg, steps, 256 / 60000)
    assert 2.5 < eps < 3.5, eps
    assert privacy.epsilon(cfg, steps // 2, 256 / 60000) < eps
    assert privacy.epsilon(wg.DPConfig(noise_multiplier=2.0), steps, 256 / 60000) < eps


def test_fit_with_dp_learns_and_reports_epsilon(blobs):
    x, y = blobs
    model = wg.Sequential([layers.Input((5,)), layers.Dense(16, activation="relu"),
                           layers.Dense(3, activation="softmax")])
    model.compile(optimizer=wg.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, batch_size=50, epochs=4, verbose=0,
                  dp={"l2_norm_clip": 1.0, "noise_multiplier": 0.8, "seed": 0})
    eps = h.history["epsilon"]
    assert len(eps) == 4 and all(0 < a < b for a, b in itertools.pairwise(eps))
    assert model.evaluate(x, y, verbose=0)[1] > 0.9


def test_dp_refuses_batchnorm_and_bad_config(blobs):
    x, y = blobs
    model = wg.Sequential([layers.Input((5,)), layers.Dense(4), layers.BatchNormalization(name="bn"),
                           layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"BatchNormalization layers \['bn'\]"):
        model.fit(x, y, verbose=0, dp=wg.DPConfig())
    with pytest.raises(ValueError, match="l2_norm_clip must be positive"):
        wg.DPConfig(l2_norm_clip=0)
