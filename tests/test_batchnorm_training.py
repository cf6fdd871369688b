"""BatchNormalization in training mode follows Keras 3: the moving variance tracks the biased batch
variance, and a frozen layer (``trainable=False``) runs in inference mode even while training."""

from __future__ import annotations

import os

import numpy as np
import pytest

import webgrad as wg

os.environ.setdefault("KERAS_BACKEND", "jax")


def _pair(momentum: float = 0.8):
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(0).normal(1.0, 2.0, size=(6, 3, 3, 4)).astype("float32")
    ours = wg.layers.BatchNormalization(momentum=momentum)
    ours(x[:1])
    theirs = keras.layers.BatchNormalization(momentum=momentum)
    theirs.build(x.shape)
    return x, ours, theirs


def test_training_step_matches_keras_outputs_and_moving_statistics() -> None:
    x, ours, theirs = _pair()
    got = np.asarray(ours(x, training=True).data)
    want = np.asarray(theirs(x, training=True))
    np.testing.assert_allclose(got, want, atol=1e-5)
    np.testing.assert_allclose(ours.moving_mean.data, np.asarray(theirs.moving_mean), atol=1e-6)
    np.testing.assert_allclose(ours.moving_variance.data, np.asarray(theirs.moving_variance), atol=1e-6)


def test_a_frozen_layer_runs_in_inference_mode_while_training() -> None:
    x, ours, theirs = _pair()
    ours.trainable = False
    theirs.trainable = False
    before = (ours.moving_mean.data.copy(), ours.moving_variance.data.copy())
    got = np.asarray(ours(x, training=True).data)
    np.testing.assert_allclose(got, np.asarray(theirs(x, training=True)), atol=1e-5)
    np.testing.assert_array_equal(ours.moving_mean.data, before[0])
    np.testing.assert_array_equal(ours.moving_variance.data, before[1])
