"""Optimizer steps and schedules against the published update rules, written out here."""

from __future__ import annotations

import math

import numpy as np
import pytest

import webgrad as wg
from webgrad.tensor import Variable

GRADS = [np.array([0.5, -1.0, 2.0], np.float32), np.array([0.1, 0.3, -0.2], np.float32),
         np.array([-1.0, 0.0, 0.4], np.float32)]


def run(opt):
    w = Variable(np.array([1.0, 2.0, -3.0], np.float32), "w")
    for g in GRADS:
        opt.apply_gradients([(g, w)])
    return w.numpy().astype(np.float64)


def test_sgd_momentum_nesterov():
    w, v = np.array([1.0, 2.0, -3.0]), np.zeros(3)
    for g in GRADS:
        v = 0.9 * v - 0.1 * g
        w = w + 0.9 * v - 0.1 * g
    np.testing.assert_allclose(run(wg.optimizers.SGD(0.1, momentum=0.9, nesterov=True)), w, rtol=1e-5)
    w = np.array([1.0, 2.0, -3.0]) - 0.1 * sum(GRADS)
    np.testing.assert_allclose(run(wg.optimizers.SGD(0.1)), w, rtol=1e-5)


@pytest.mark.parametrize("wd", [0.0, 0.1])
def test_adam_and_adamw(wd):
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    w, m, v = np.array([1.0, 2.0, -3.0]), np.zeros(3), np.zeros(3)
    for t, g in enumerate(GRADS, 1):
        w = w - lr * wd * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * math.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
    opt = wg.optimizers.AdamW(lr, weight_decay=wd) if wd else wg.optimizers.Adam(lr)
    np.testing.assert_allclose(run(opt), w, rtol=1e-5)


def test_rmsprop_with_momentum():
    w, ms, mom = np.array([1.0, 2.0, -3.0]), np.zeros(3), np.zeros(3)
    for g in GRADS:
        ms = 0.9 * ms + 0.1 * g * g
        mom = 0.5 * mom + 0.01 * g / np.sqrt(ms + 1e-7)
        w = w - mom
    np.testing.assert_allclose(run(wg.optimizers.RMSprop(0.01, momentum=0.5)), w, rtol=1e-5)


def test_schedules():
    s = wg.schedules
    assert s.ExponentialDecay(1.0, 10, 0.5)(5) == pytest.approx(0.5**0.5)
    assert s.ExponentialDecay(1.0, 10, 0.5, staircase=True)(15) == pytest.approx(0.5)
    c = s.CosineDecay(1.0, 100, alpha=0.1)
    assert c(0) == pytest.approx(1.0) and c(50) == pytest.approx(0.55) and c(500) == pytest.approx(0.1)
    assert s.CosineDecay(1.0, 10, warmup_steps=4)(1) == pytest.approx(0.5)
    p = s.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [p(0), p(10), p(11), p(25)] == [1.0, 1.0, 0.5, 0.1]
    assert s.InverseTimeDecay(1.0, 1, 1.0)(3) == pytest.approx(0.25)


def test_schedule_drives_the_step_size():
    opt = wg.optimizers.SGD(wg.schedules.PiecewiseConstantDecay([0], [1.0, 0.1]))
    w = Variable(np.zeros(1, np.float32), "w")
    opt.apply_gradients([(np.ones(1, np.float32), w)])
    opt.apply_gradients([(np.ones(1, np.float32), w)])
    np.testing.assert_allclose(w.numpy(), [-1.1], rtol=1e-6)


def test_bad_hyperparameters():
    with pytest.raises(ValueError, match="learning_rate must be positive"):
        wg.optimizers.Adam(-1)
    with pytest.raises(ValueError, match="momentum"):
        wg.optimizers.SGD(0.1, momentum=1.5)
