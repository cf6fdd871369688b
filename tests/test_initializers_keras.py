"""wg.initializers as keras.initializers: the same distribution family and variance scaling (checked on
the sample statistics of both), Keras's configs, get by name/dict/class/instance, seeds, activations."""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "jax"

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import webgrad as wg  # noqa: E402

SHAPE = (3, 3, 64, 32)  # a conv kernel: fan_in 576, fan_out 288

CLASSES = ["GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform", "LecunNormal",
           "RandomNormal", "RandomUniform", "TruncatedNormal", "VarianceScaling", "Zeros", "Ones", "Orthogonal"]


@pytest.mark.parametrize("name", CLASSES)
def test_statistics_and_config_match_keras(name):
    theirs = getattr(keras.initializers, name)(seed=0) if name not in ("Zeros", "Ones") else \
        getattr(keras.initializers, name)()
    ours = getattr(wg.initializers, name).from_config(theirs.get_config())
    assert ours.get_config() == theirs.get_config()
    shape = (256, 128) if name == "Orthogonal" else SHAPE
    a, b = np.asarray(theirs(shape)), ours(shape)
    assert b.shape == a.shape and b.dtype == a.dtype
    np.testing.assert_allclose(b.std(), a.std(), rtol=0.03, atol=1e-6)
    np.testing.assert_allclose(b.mean(), a.mean(), atol=0.05 * a.std() + 1e-6)  # 18432 draws: SE 0.007 std
    np.testing.assert_allclose(abs(b).max(), abs(a).max(), rtol=0.15, atol=1e-6)  # bounded, truncated or not


def test_identity_constant_and_orthogonality():
    want = np.asarray(keras.initializers.Identity(3.0)((2, 3)))
    np.testing.assert_array_equal(wg.initializers.Identity(3.0)((2, 3)), want)
    np.testing.assert_array_equal(wg.initializers.Constant(0.5)((2,)), [0.5, 0.5])
    q = wg.initializers.Orthogonal(gain=2.0, seed=1)((4, 6))
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(4), atol=1e-5)


def test_get_serialize_and_aliases():
    for key in ["glorot_uniform", "GlorotUniform", {"class_name": "GlorotUniform", "config": {"seed": 2}},
                wg.initializers.GlorotUniform, wg.initializers.GlorotUniform(seed=2)]:
        assert type(wg.initializers.get(key)) is wg.initializers.GlorotUniform
    assert wg.initializers.glorot_uniform is wg.initializers.GlorotUniform
    init = wg.initializers.HeNormal(seed=4)
    assert wg.initializers.serialize(init) == keras.initializers.serialize(keras.initializers.HeNormal(seed=4))
    assert wg.initializers.deserialize(wg.initializers.serialize(init)).get_config() == init.get_config()
    with pytest.raises(ValueError, match=r"unknown initializer 'he'; valid: .*he_normal"):
        wg.initializers.get("he")
    with pytest.raises(NotImplementedError, match="not supported yet"):
        wg.initializers.STFT  # noqa: B018


def test_seed_semantics():
    fixed = wg.initializers.RandomNormal(seed=3)
    assert (fixed((5,)) == fixed((5,))).all()  # an int seed: the same values every call, as Keras
    stream = wg.initializers.RandomNormal(seed=wg.random.SeedGenerator(3))
    assert not (stream((5,)) == stream((5,))).all()
    unseeded = wg.initializers.GlorotUniform()
    wg.set_seed(1)
    a = unseeded((4, 4))
    assert not (unseeded((4, 4)) == a).all()  # webgrad: unseeded draws from the process-wide generator
    wg.set_seed(1)
    assert (unseeded((4, 4)) == a).all()


def test_layers_take_initializer_objects_and_activation_functions():
    wg.set_seed(0)
    layer = wg.layers.Dense(3, activation=wg.activations.silu, kernel_initializer=wg.initializers.Ones())
    y = layer(np.ones((2, 4), np.float32))
    np.testing.assert_allclose(np.asarray(y), np.asarray(keras.activations.silu(np.full((2, 3), 4.0, np.float32))),
                               rtol=1e-6)


@pytest.mark.parametrize("name", ["relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "gelu", "leaky_relu",
                                  "elu", "selu", "celu", "softplus", "softsign", "silu", "swish", "hard_sigmoid",
                                  "hard_silu", "hard_swish", "hard_tanh", "linear", "exponential", "log_sigmoid",
                                  "mish", "squareplus", "tanh_shrink", "soft_shrink", "sparse_plus",
                                  "sparse_sigmoid", "glu"])
def test_activations_match_keras(name):
    x = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32) * 3
    want = np.asarray(keras.activations.get(name)(x))
    got = np.asarray(wg.activations.get(name)(x))
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)
    assert wg.activations.serialize(wg.activations.get(name)) == keras.activations.serialize(
        keras.activations.get(name))


def test_relu_arguments_match_keras():
    x = np.linspace(-8, 8, 33, dtype=np.float32)
    for kw in [{"negative_slope": 0.1}, {"max_value": 6.0}, {"max_value": 2.5},
               {"negative_slope": 0.3, "max_value": 4.0}]:
        want = np.asarray(keras.activations.relu(x, **kw))
        np.testing.assert_allclose(np.asarray(wg.activations.relu(x, **kw)), want, rtol=1e-6, err_msg=str(kw))
    with pytest.raises(NotImplementedError, match="not supported yet"):
        wg.activations.relu(x, threshold=1.0)


@pytest.mark.parametrize("short", ["uniform", "normal"])
def test_short_names_resolve_as_in_keras(short):
    assert type(wg.initializers.get(short)).__name__ == type(keras.initializers.get(short)).__name__


@pytest.mark.parametrize("name", ["ReLU", "LeakyReLU", "ELU", "PReLU", "Softmax"])
def test_activation_layers_pass_masks_as_in_keras(name):
    assert getattr(wg.layers, name)().supports_masking == getattr(keras.layers, name)().supports_masking
