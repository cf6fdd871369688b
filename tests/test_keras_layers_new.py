"""The classifier layers of issue 14 (item 7) against Keras 3 on JAX: the same layer, the same weights,
the same outputs (1e-5); ``get_config`` keys as Keras's for the arguments webgrad supports;
``from_config`` round trips; training-only layers (noise, dropout variants, augmentation) are the
identity at inference and random, seeded and differentiable while training; and a model of the new
layers exports to a bundle that the Python runner, and the npm runtime on js and wasm, run like
``model.predict``.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path

os.environ["KERAS_BACKEND"] = "jax"

import numpy as np
import pytest

import webgrad as wg
from webgrad.layers._resample import affine_transform

keras = pytest.importorskip("keras")

ROOT = Path(__file__).resolve().parents[1]
L, K = wg.layers, keras.layers


def _x(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _separable_weights(kw):
    """Keras's Depthwise/SeparableConv2D weights in webgrad's layout (depthwise kernel as HWIO with groups)."""
    dw, pw, *b = kw
    kh, kwid, c, m = dw.shape
    return [dw.reshape(kh, kwid, 1, c * m), pw, *b]


_ZEROS = {"depthwise_initializer": "zeros", "pointwise_initializer": "zeros"}  # see _keras_reference

# id -> (webgrad layer, keras layer, input shape, keras weights -> webgrad weights)
CASES = {
    "GlobalMaxPooling2D": (lambda: L.GlobalMaxPooling2D(), lambda: K.GlobalMaxPooling2D(), (2, 5, 4, 3), None),
    "GlobalMaxPooling2D-keepdims": (lambda: L.GlobalMaxPooling2D(keepdims=True),
                                    lambda: K.GlobalMaxPooling2D(keepdims=True), (2, 5, 4, 3), None),
    "GlobalMaxPooling1D": (lambda: L.GlobalMaxPooling1D(), lambda: K.GlobalMaxPooling1D(), (2, 6, 3), None),
    "GlobalMaxPool1D-keepdims": (lambda: L.GlobalMaxPool1D(keepdims=True),
                                 lambda: K.GlobalMaxPool1D(keepdims=True), (2, 6, 3), None),
    "GlobalAveragePooling2D-keepdims": (lambda: L.GlobalAveragePooling2D(keepdims=True),
                                        lambda: K.GlobalAveragePooling2D(keepdims=True), (2, 5, 4, 3), None),
    "GlobalAvgPool1D-keepdims": (lambda: L.GlobalAvgPool1D(keepdims=True),
                                 lambda: K.GlobalAvgPool1D(keepdims=True), (2, 6, 3), None),
    "Rescaling": (lambda: L.Rescaling(1 / 255, offset=-0.5), lambda: K.Rescaling(1 / 255, offset=-0.5),
                  (2, 3, 3, 2), None),
    "Rescaling-per-channel": (lambda: L.Rescaling([0.5, 2.0, -1.0]), lambda: K.Rescaling(np.float32([0.5, 2, -1])),
                              (2, 3, 3), None),
    "Normalization-given": (lambda: L.Normalization(mean=[1.0, -2.0, 0.5], variance=[4.0, 0.25, 1e-20]),
                            lambda: K.Normalization(mean=[1.0, -2.0, 0.5], variance=[4.0, 0.25, 1e-20]), (4, 3), None),
    "Normalization-given-invert": (lambda: L.Normalization(mean=2.0, variance=9.0, invert=True),
                                   lambda: K.Normalization(mean=2.0, variance=9.0, invert=True), (4, 3), None),
    "Normalization-axis-tuple": (lambda: L.Normalization(axis=(1, 2), mean=[[1.0], [2.0]], variance=[[1.0], [4.0]]),
                                 lambda: K.Normalization(axis=(1, 2), mean=[[1.0], [2.0]], variance=[[1.0], [4.0]]),
                                 (3, 2, 3), None),
    "SeparableConv2D-strided-same-multiplier": (
        lambda: L.SeparableConv2D(5, (3, 2), strides=2, padding="same", depth_multiplier=2, activation="tanh"),
        lambda: K.SeparableConv2D(5, (3, 2), strides=2, padding="same", depth_multiplier=2, activation="tanh",
                                  **_ZEROS),
        (2, 7, 6, 3), _separable_weights),
    "SeparableConv2D-dilated-nobias": (
        lambda: L.SeparableConv2D(2, 3, dilation_rate=2, use_bias=False, activation="softmax"),
        lambda: K.SeparableConv2D(2, 3, dilation_rate=2, use_bias=False, activation="softmax", **_ZEROS),
        (1, 7, 7, 2), _separable_weights),
    "Conv2D": (lambda: L.Conv2D(3, 2, strides=2, padding="same"),
               lambda: K.Conv2D(3, 2, strides=2, padding="same", kernel_initializer="zeros"), (2, 5, 4, 3), None),
    "DepthwiseConv2D": (lambda: L.DepthwiseConv2D(3, depth_multiplier=2),
                        lambda: K.DepthwiseConv2D(3, depth_multiplier=2, depthwise_initializer="zeros"), (2, 5, 4, 3),
                        _separable_weights),
    "Conv2DTranspose": (lambda: L.Conv2DTranspose(4, 3), lambda: K.Conv2DTranspose(4, 3, kernel_initializer="zeros"),
                        (2, 5, 4, 3), None),
    "Conv2DTranspose-strided-same": (
        lambda: L.Conv2DTranspose(3, (3, 2), strides=2, padding="same", activation="relu"),
        lambda: K.Conv2DTranspose(3, (3, 2), strides=2, padding="same", activation="relu", kernel_initializer="zeros"),
        (2, 5, 4, 3), None),
    "Conv2DTranspose-stride-over-kernel-nobias": (
        lambda: L.Conv2DTranspose(2, 2, strides=3, use_bias=False, activation="softmax"),
        lambda: K.Conv2DTranspose(2, 2, strides=3, use_bias=False, activation="softmax", kernel_initializer="zeros"),
        (2, 3, 4, 3), None),
    "Conv2DTranspose-dilated": (
        lambda: L.Conv2DTranspose(2, 3, dilation_rate=2, padding="same"),
        lambda: K.Conv2DTranspose(2, 3, dilation_rate=2, padding="same", kernel_initializer="zeros"),
        (2, 5, 4, 3), None),
    "ReLU": (lambda: L.ReLU(), lambda: K.ReLU(), (3, 5), None),
    "ReLU-max6": (lambda: L.ReLU(max_value=6.0), lambda: K.ReLU(max_value=6.0), (3, 5), None),
    "ReLU-max-slope": (lambda: L.ReLU(max_value=1.5, negative_slope=0.2),
                       lambda: K.ReLU(max_value=1.5, negative_slope=0.2), (3, 5), None),
    "ReLU-slope": (lambda: L.ReLU(negative_slope=0.1), lambda: K.ReLU(negative_slope=0.1), (3, 5), None),
    "LeakyReLU": (lambda: L.LeakyReLU(), lambda: K.LeakyReLU(), (3, 5), None),
    "Softmax-axis1": (lambda: L.Softmax(axis=1), lambda: K.Softmax(axis=1), (2, 4, 3), None),
    "Softmax-axes": (lambda: L.Softmax(axis=(1, 2)), lambda: K.Softmax(axis=(1, 2)), (2, 4, 3), None),
    "ELU-alpha": (lambda: L.ELU(alpha=0.5), lambda: K.ELU(alpha=0.5), (3, 5), None),
    "PReLU": (lambda: L.PReLU(alpha_initializer="random_uniform"), lambda: K.PReLU(),
              (3, 5), None),
    "PReLU-shared": (lambda: L.PReLU(shared_axes=[1, 2]), lambda: K.PReLU(shared_axes=[1, 2]),
                     (2, 3, 3, 4), None),
    "Cropping2D": (lambda: L.Cropping2D(((1, 0), (2, 1))), lambda: K.Cropping2D(((1, 0), (2, 1))), (2, 5, 6, 2), None),
    "Cropping2D-two-ints": (lambda: L.Cropping2D((2, 1)), lambda: K.Cropping2D((2, 1)), (2, 5, 6, 2), None),
    "Cropping1D": (lambda: L.Cropping1D((2, 1)), lambda: K.Cropping1D((2, 1)), (2, 6, 3), None),
    "ZeroPadding2D": (lambda: L.ZeroPadding2D(), lambda: K.ZeroPadding2D(), (2, 3, 4, 2), None),
    "ZeroPadding2D-pairs": (lambda: L.ZeroPadding2D(((2, 0), (1, 3))), lambda: K.ZeroPadding2D(((2, 0), (1, 3))),
                            (2, 3, 4, 2), None),
    "ZeroPadding1D": (lambda: L.ZeroPadding1D((1, 3)), lambda: K.ZeroPadding1D((1, 3)), (2, 4, 3), None),
    "UpSampling2D": (lambda: L.UpSampling2D(), lambda: K.UpSampling2D(), (2, 3, 4, 2), None),
    "UpSampling2D-bilinear": (lambda: L.UpSampling2D((3, 2), interpolation="bilinear"),
                              lambda: K.UpSampling2D((3, 2), interpolation="bilinear"), (2, 3, 4, 2), None),
    "UpSampling2D-3x1": (lambda: L.UpSampling2D((3, 1)), lambda: K.UpSampling2D((3, 1)), (2, 3, 4, 2), None),
    "Permute-3d": (lambda: L.Permute((3, 1, 2)), lambda: K.Permute((3, 1, 2)), (2, 3, 4, 5), None),
    "RepeatVector": (lambda: L.RepeatVector(3), lambda: K.RepeatVector(3), (2, 4), None),
    "Identity": (lambda: L.Identity(), lambda: K.Identity(), (2, 4), None),
    # training-only layers: identity at inference
    "SpatialDropout2D": (lambda: L.SpatialDropout2D(0.5), lambda: K.SpatialDropout2D(0.5), (2, 3, 3, 2), None),
    "SpatialDropout1D": (lambda: L.SpatialDropout1D(0.5), lambda: K.SpatialDropout1D(0.5), (2, 3, 2), None),
    "GaussianNoise": (lambda: L.GaussianNoise(0.3), lambda: K.GaussianNoise(0.3), (2, 3), None),
    "GaussianDropout": (lambda: L.GaussianDropout(0.3), lambda: K.GaussianDropout(0.3), (2, 3), None),
    "RandomFlip": (lambda: L.RandomFlip("horizontal", seed=1), lambda: K.RandomFlip("horizontal", seed=1),
                   (2, 4, 4, 3), None),
    "RandomCrop": (lambda: L.RandomCrop(3, 2, seed=1), lambda: K.RandomCrop(3, 2, seed=1), (2, 4, 4, 3), None),
    "RandomRotation": (lambda: L.RandomRotation(0.2, fill_mode="constant", seed=3),
                       lambda: K.RandomRotation(0.2, fill_mode="constant", seed=3), (2, 4, 4, 3), None),
    "RandomZoom": (lambda: L.RandomZoom(0.2, (-0.1, 0.3), fill_mode="wrap"),
                   lambda: K.RandomZoom(0.2, (-0.1, 0.3), fill_mode="wrap"), (2, 4, 4, 3), None),
}

def _regularizers_and_constraints(*kernels):
    return {f"{k}_{what}" for k in kernels for what in ("regularizer", "constraint")} | {"activity_regularizer"}


# Keras config keys webgrad leaves out: regularizers appear only when set (as in webgrad's Dense), constraints
# are not supported yet
UNSUPPORTED_KEYS = {
    "Conv2D": _regularizers_and_constraints("kernel", "bias"),
    "Conv2DTranspose": _regularizers_and_constraints("kernel", "bias"),
    "DepthwiseConv2D": _regularizers_and_constraints("depthwise", "bias"),
    "SeparableConv2D": _regularizers_and_constraints("depthwise", "pointwise", "bias"),
    "PReLU": {"alpha_regularizer", "alpha_constraint"},
}


@functools.cache
def _keras_reference(case):
    """Keras's output (inference), weights, config and default name for ``case``, once per case.

    Keras's layers are made with zeros initializers and then given random weights from numpy: JAX
    compiles a random initializer for every new shape, which would cost seconds per case."""
    _, make_k, shape, _ = CASES[case]
    keras.backend.clear_session()
    theirs = make_k()
    x = _x(shape)
    theirs.build(x.shape)
    rng = np.random.default_rng(1)
    theirs.set_weights([rng.normal(size=w.shape).astype(np.float32) * 0.5 for w in theirs.get_weights()])
    want = np.asarray(theirs(x, training=False))
    return want, [np.asarray(w) for w in theirs.get_weights()], theirs.get_config(), theirs.name, type(theirs).__name__


def _pair(case):
    """The webgrad layer with Keras's weights, the input, and Keras's reference."""
    make_wg, _, shape, convert = CASES[case]
    want, kw, config, name, cls = _keras_reference(case)
    wg.layers.clear_session()
    ours = make_wg()
    x = _x(shape)
    ours(x)  # builds
    if kw:
        ours.set_weights(convert(kw) if convert else kw)
    return ours, (config, name, cls), x, want


@pytest.mark.parametrize("case", sorted(CASES))
def test_outputs_match_keras_with_the_same_weights(case):
    ours, _, x, want = _pair(case)
    got = np.asarray(ours(x, training=False))
    assert got.shape == want.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_keys_and_default_name_are_keras_s(case):
    ours, (config, name, cls), _, _ = _pair(case)
    assert type(ours).__name__ == cls
    assert set(ours.get_config()) == set(config) - UNSUPPORTED_KEYS.get(cls, set())
    assert ours.name == name  # first of its class after clear_session: the same snake name


@pytest.mark.parametrize("case", sorted(CASES))
def test_from_config_round_trip_computes_the_same(case):
    ours, _, x, _ = _pair(case)
    config = json.loads(json.dumps(ours.get_config()))  # a config must survive JSON
    clone = type(ours).from_config(config)
    assert clone.get_config() == ours.get_config()
    clone(x)
    clone.set_weights(ours.get_weights())
    np.testing.assert_array_equal(np.asarray(clone(x, training=False)), np.asarray(ours(x, training=False)))


def test_aliases_are_the_same_classes_as_in_keras():
    for alias, full in [("MaxPool2D", "MaxPooling2D"), ("AvgPool2D", "AveragePooling2D"),
                        ("GlobalMaxPool2D", "GlobalMaxPooling2D"), ("GlobalMaxPool1D", "GlobalMaxPooling1D"),
                        ("GlobalAvgPool2D", "GlobalAveragePooling2D"), ("GlobalAvgPool1D", "GlobalAveragePooling1D")]:
        assert getattr(K, alias) is getattr(K, full)
        assert getattr(L, alias) is getattr(L, full), alias


@pytest.mark.parametrize("make", [
    lambda R, L: L.SeparableConv2D(4, 3, depthwise_regularizer=R.L2(0.1), pointwise_regularizer=R.L1(0.2),
                                   bias_regularizer=R.L2(0.3), bias_initializer="ones"),
    lambda R, L: L.Conv2DTranspose(2, 3, kernel_regularizer=R.L1L2(0.1, 0.2)),
    lambda R, L: L.DepthwiseConv2D(3, depthwise_regularizer=R.L2(0.1)),
    lambda R, L: L.PReLU(alpha_initializer="ones", alpha_regularizer=R.L1(0.5)),
], ids=["SeparableConv2D", "Conv2DTranspose", "DepthwiseConv2D", "PReLU"])
def test_weight_regularizers_add_keras_s_penalties(make):
    x = _x((2, 6, 6, 3))
    theirs, ours = make(keras.regularizers, K), make(wg.regularizers, L)
    theirs(x)
    ours(x)
    kw = [np.asarray(w) for w in theirs.get_weights()]
    depthwise = type(ours).__name__ in ("DepthwiseConv2D", "SeparableConv2D")
    ours.set_weights(_separable_weights(kw) if depthwise else kw)
    want = float(sum(np.asarray(loss) for loss in theirs.losses))
    assert want > 0
    assert float(sum(np.asarray(loss) for loss in ours.losses)) == pytest.approx(want, rel=1e-5)
    config = ours.get_config()
    assert {k for k in config if k.endswith("_regularizer")} == {k for k, v in theirs.get_config().items()
                                                                if k.endswith("_regularizer") and v is not None}
    assert type(ours).from_config(config).get_config() == config


def test_constraints_are_not_supported_yet():
    with pytest.raises(NotImplementedError, match="kernel_constraint is not supported yet"):
        L.Conv2DTranspose(2, 3, kernel_constraint="non_neg")
    with pytest.raises(NotImplementedError, match="alpha_constraint is not supported yet"):
        L.PReLU(alpha_constraint="non_neg")


# ---- Normalization.adapt ----------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [-1, None, (1, 2)])
def test_normalization_adapts_like_keras_on_arrays_and_batches(axis):
    data = _x((12, 3, 4), seed=2) * 3 + 1
    theirs = K.Normalization(axis=axis)
    theirs.adapt(data)
    for source in (data, [data[:5], data[5:9], data[9:]]):
        ours = L.Normalization(axis=axis)
        ours.adapt(source)
        assert [w.shape for w in ours.get_weights()] == [np.asarray(w).shape for w in theirs.get_weights()]
        for a, b in zip(ours.get_weights()[:2], theirs.get_weights()[:2], strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        x = _x((2, 3, 4), seed=3)
        np.testing.assert_allclose(ours(x).numpy(), np.asarray(theirs(x)), rtol=1e-5, atol=1e-5)
    assert [w.trainable for w in ours.weights] == [False, False, False]


def test_normalization_errors_are_keras_s():
    with pytest.raises(ValueError, match="both mean and variance"):
        L.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        L.Normalization(mean=[1.0, 2.0], variance=[1.0])
    with pytest.raises(ValueError, match="empty iterable"):
        L.Normalization().adapt([])
    with pytest.raises(ValueError, match="cannot adapt"):
        layer = L.Normalization(mean=0.0, variance=1.0)
        layer(np.zeros((1, 2), np.float32))
        layer.adapt(np.zeros((3, 2), np.float32))


# ---- training-only layers --------------------------------------------------------------------------

TRAINING_ONLY = ["SpatialDropout2D", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "RandomFlip",
                 "RandomCrop", "RandomRotation", "RandomZoom"]


@pytest.mark.parametrize("case", TRAINING_ONLY)
def test_training_only_layers_are_random_seeded_and_identity_at_inference(case):
    make = CASES[case][0]
    x = _x(CASES[case][2], seed=4)
    layer = make()
    assert np.array_equal(np.asarray(layer(x, training=False)), x)
    a = [np.asarray(layer(x, training=True)) for _ in range(3)]
    assert not np.array_equal(a[0], a[1]) or not np.array_equal(a[1], a[2])  # fresh draws each call
    wg.set_seed(7)
    first = [np.asarray(make()(x, training=True)) for _ in range(2)]
    wg.set_seed(7)
    again = [np.asarray(make()(x, training=True)) for _ in range(2)]
    for p, q in zip(first, again, strict=True):
        np.testing.assert_array_equal(p, q)


@pytest.mark.parametrize("case", TRAINING_ONLY)
def test_called_directly_augmentation_augments_and_noise_does_not_as_in_keras(case):
    x = _x(CASES[case][2], seed=4)
    augments = case.startswith("Random")
    assert augments == (CASES[case][1]()(x).shape != x.shape or not np.array_equal(np.asarray(CASES[case][1]()(x)), x))
    ours = np.asarray(CASES[case][0]()(x))
    assert augments == (ours.shape != x.shape or not np.array_equal(ours, x))


def test_a_model_augments_when_called_or_fitted_and_not_in_predict():
    model = wg.Sequential([wg.Input((4, 4, 1)), L.RandomRotation(0.3, seed=0), L.Flatten()])
    x = _x((3, 4, 4, 1))
    np.testing.assert_array_equal(model.predict(x, verbose=0), x.reshape(3, -1))
    np.testing.assert_array_equal(np.asarray(model(x, training=False)), x.reshape(3, -1))
    # as in Keras, a direct model call without training leaves each layer its default: augmentation augments
    assert not np.array_equal(np.asarray(model(x)), x.reshape(3, -1))
    assert not np.array_equal(np.asarray(model(x, training=True)), x.reshape(3, -1))


def test_seed_argument_alone_makes_draws_reproducible():
    x = _x((8, 5, 5, 2))
    wg.set_seed(1)
    a = L.RandomRotation(0.3, seed=11)(x, training=True).numpy()
    wg.set_seed(2)
    b = L.RandomRotation(0.3, seed=11)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)


def test_spatial_dropout_drops_whole_channels_at_the_rate():
    x = np.ones((200, 4, 4, 8), np.float32)
    y = L.SpatialDropout2D(0.25, seed=0)(x, training=True).numpy()
    assert set(np.unique(y).tolist()) <= {0.0, np.float32(1 / 0.75).item()}
    assert (y.std(axis=(1, 2)) == 0).all()  # per (example, channel): all dropped or all kept
    assert abs((y[:, 0, 0, :] == 0).mean() - 0.25) < 0.05


def test_gaussian_layers_have_keras_s_moments():
    x = np.full((40000,), 2.0, np.float32)
    noisy = L.GaussianNoise(0.5, seed=0)(x, training=True).numpy()
    assert abs(noisy.mean() - 2) < 0.02 and abs(noisy.std() - 0.5) < 0.02
    dropped = L.GaussianDropout(0.5, seed=0)(x, training=True).numpy()  # x * N(1, sqrt(rate / (1 - rate)))
    assert abs(dropped.mean() - 2) < 0.03 and abs(dropped.std() - 2 * 1.0) < 0.03


def test_random_flip_mirrors_each_image_or_keeps_it_at_about_half():
    x = _x((400, 3, 4, 2))
    for mode, axes in [("horizontal", (2,)), ("vertical", (1,)), ("horizontal_and_vertical", (1, 2))]:
        y = L.RandomFlip(mode, seed=0)(x, training=True).numpy()
        kept = np.array([np.array_equal(a, b) for a, b in zip(y, x, strict=True)])
        flipped = np.array([np.array_equal(a, np.flip(b, axis=tuple(i - 1 for i in axes)))
                            for a, b in zip(y, x, strict=True)])
        assert (kept | flipped).all() and 0.4 < flipped.mean() < 0.6, mode


def test_random_crop_takes_a_window_of_the_input():
    x = _x((3, 6, 7, 2))
    seen = set()
    for _ in range(30):
        y = L.RandomCrop(4, 3, seed=None)(x, training=True).numpy()
        assert y.shape == (3, 4, 3, 2)
        spots = [(t, left) for t in range(3) for left in range(5) if np.array_equal(x[:, t:t + 4, left:left + 3], y)]
        assert len(spots) == 1
        seen.add(spots[0])
    assert len(seen) > 5
    with pytest.raises(NotImplementedError, match="resize"):
        L.RandomCrop(8, 8)(x, training=True)


@pytest.mark.parametrize(("interpolation", "fill_mode"), [("bilinear", "reflect"), ("bilinear", "wrap"),
                                                         ("bilinear", "constant"), ("bilinear", "nearest"),
                                                         ("nearest", "reflect")])
def test_resampling_is_keras_s_affine_transform(interpolation, fill_mode):
    rng = np.random.default_rng(0)
    x = rng.random((3, 7, 5, 2), dtype=np.float32)
    t = np.zeros((3, 8), np.float32)
    t[:, :6] = rng.uniform(-1.5, 1.5, (3, 6))
    t[:, [2, 5]] *= 4
    want = np.asarray(keras.ops.image.affine_transform(x, t, interpolation=interpolation, fill_mode=fill_mode,
                                                       fill_value=0.7))
    got = affine_transform(np, x, t, interpolation, fill_mode, 0.7).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("factor", "fill_mode"), [((0.25, 0.25), "reflect"), ((-0.1, -0.1), "constant")])
def test_a_fixed_rotation_is_keras_s(factor, fill_mode):
    x = _x((2, 7, 5, 2))
    want = np.asarray(K.RandomRotation(factor, fill_mode=fill_mode, fill_value=0.5)(x, training=True))
    got = L.RandomRotation(factor, fill_mode=fill_mode, fill_value=0.5)(x, training=True).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("height", "width"), [((0.3, 0.3), None), ((-0.2, -0.2), (0.4, 0.4))])
def test_a_fixed_zoom_is_keras_s(height, width):
    x = _x((2, 7, 5, 2))
    want = np.asarray(K.RandomZoom(height, width)(x, training=True))
    got = L.RandomZoom(height, width)(x, training=True).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_augmentation_inside_a_model_passes_the_gradient_and_vanishes_at_export(tmp_path):
    from webgrad.exporter.runner import load_bundle

    wg.set_seed(0)
    model = wg.Sequential([wg.Input((6, 6, 3)), L.Conv2D(4, 3, padding="same"), L.RandomRotation(0.1),
                           L.RandomZoom(0.1), L.RandomFlip(), L.SpatialDropout2D(0.2), L.GaussianNoise(0.1),
                           L.GlobalAveragePooling2D(), L.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = _x((16, 6, 6, 3)), np.arange(16) % 3
    before = model.layers[0].get_weights()[0].copy()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert not np.allclose(before, model.layers[0].get_weights()[0])  # the gradient crossed the augmentation
    wg.export(model, tmp_path / "b", verbose=0)
    ops = {n["op"] for n in json.loads((tmp_path / "b" / "model.json").read_text())["graph"]["nodes"]}
    assert "Gather" not in ops and "Mul" not in ops  # nothing of the training-only layers remains
    np.testing.assert_allclose(load_bundle(tmp_path / "b").predict(x), model.predict(x, verbose=0), atol=1e-5)


def test_jax_values_without_a_random_source_are_refused():
    jnp = pytest.importorskip("jax.numpy")
    from webgrad.tensor import Tensor

    with pytest.raises(NotImplementedError, match="backend='jax' is not supported yet"):
        L.RandomFlip()(Tensor(jnp.zeros((1, 2, 2, 1))), training=True)


class _JaxDraws:
    """A ``random_source`` as a compiled JAX step would set it: draws from a traced key."""

    def __init__(self, key):
        import jax.numpy as jnp

        self.key, self.xp = key, jnp

    def _next(self):
        import jax

        self.key, sub = jax.random.split(self.key)
        return sub

    def uniform(self, shape):
        import jax

        return jax.random.uniform(self._next(), shape)

    def normal(self, shape):
        import jax

        return jax.random.normal(self._next(), shape)


@pytest.mark.parametrize("case", ["SpatialDropout2D", "GaussianDropout", "RandomFlip", "RandomCrop", "RandomRotation"])
def test_training_only_layers_trace_under_jit_with_a_random_source(case):
    jax = pytest.importorskip("jax")
    from webgrad.backends.jax_trace import lowered
    from webgrad.tensor import Tensor

    layer = CASES[case][0]()
    x = _x(CASES[case][2], seed=8)
    layer(x)

    def step(x, key):
        with lowered():
            layer.random_source = _JaxDraws(key)
            try:
                return layer.call(Tensor(x), training=True).data
            finally:
                layer.random_source = None

    compiled = jax.jit(step)
    a, b = (np.asarray(compiled(x, jax.random.PRNGKey(k))) for k in (1, 2))
    assert a.shape == np.asarray(layer(x, training=True)).shape
    assert not np.array_equal(a, b)  # the draws follow the traced key, not one frozen draw


# ---- errors ------------------------------------------------------------------------------------------


def test_unsupported_arguments_say_not_supported_yet_and_bad_values_name_the_argument():
    with pytest.raises(NotImplementedError, match="threshold other than 0 is not supported yet"):
        L.ReLU(threshold=0.5)
    with pytest.raises(NotImplementedError, match=r"channels_first.*not supported yet"):
        L.GlobalMaxPooling2D(data_format="channels_first")
    with pytest.raises(NotImplementedError, match="not supported yet"):
        L.UpSampling2D(interpolation="bicubic")
    with pytest.raises(ValueError, match="negative_slope"):
        L.LeakyReLU(-1)
    with pytest.raises(ValueError, match="RandomFlip mode"):
        L.RandomFlip("diagonal")
    with pytest.raises(ValueError, match="RandomRotation factor"):
        L.RandomRotation(2.0)
    with pytest.raises(NotImplementedError, match="fill_mode"):
        L.RandomZoom(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match="Permute dims"):
        L.Permute((1, 3))
    with pytest.raises(ValueError, match="cropping"):
        L.Cropping2D(((1, 2, 3),))
    with pytest.raises(wg.layers.IncompatibleShapesError, match="leaves nothing"):
        L.Cropping2D(3)(wg.Input((6, 6, 1)))
    with pytest.raises(NotImplementedError, match="output_padding is not supported yet"):
        L.Conv2DTranspose(2, 3, output_padding=1)
    with pytest.raises(ValueError, match="SpatialDropout2D rate"):
        L.SpatialDropout2D(1.5)


# ---- export: the Python runner and the npm runtime run a model of the new layers like predict -------------


def _classifier():
    wg.set_seed(3)
    inputs = wg.Input((8, 8, 3))
    norm = L.Normalization()
    norm.adapt(_x((32, 8, 8, 3), seed=9) * 2 + 1)
    y = L.Rescaling(0.5, offset=0.1)(inputs)
    y = norm(y)
    y = L.RandomFlip(seed=1)(y)
    y = L.RandomRotation(0.1, seed=1)(y)
    y = L.RandomZoom(0.1, seed=1)(y)
    y = L.GaussianNoise(0.05, seed=1)(y)
    y = L.SeparableConv2D(6, 3, padding="same", depth_multiplier=2)(y)
    y = L.ReLU(max_value=4.0, negative_slope=0.1)(y)
    y = L.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu")(y)
    y = L.ZeroPadding2D(((0, 1), (2, 0)))(y)
    y = L.Cropping2D(((1, 0), (0, 1)))(y)
    y = L.UpSampling2D((1, 2))(y)
    y = L.UpSampling2D((2, 1), interpolation="bilinear")(y)
    y = L.PReLU(alpha_initializer="random_uniform", shared_axes=[1, 2])(y)
    y = L.SpatialDropout2D(0.2, seed=1)(y)
    y = L.ELU(alpha=0.7)(y)
    y = L.MaxPool2D()(y)
    a = L.GlobalMaxPooling2D()(y)
    b = L.GlobalAvgPool2D()(L.LeakyReLU()(y))
    y = L.Dense(6)(L.Identity()(wg.layers.Concatenate()([a, b])))
    y = L.Permute((2, 1))(L.RepeatVector(4)(y))
    y = L.GaussianDropout(0.1, seed=1)(L.GlobalMaxPooling1D()(y))
    y = L.Softmax()(L.Dense(3)(y))
    model = wg.Model(inputs, y)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(_x((16, 8, 8, 3), seed=5), np.arange(16) % 3, epochs=1, batch_size=8, verbose=0)
    return model


NODE_PREDICT = """
import { loadModel } from '%s';
import { readFileSync } from 'node:fs';
const [dir, input] = process.argv.slice(2);
const { data, shape } = JSON.parse(readFileSync(input, 'utf8'));
const out = {};
for (const backend of ['js', 'wasm']) {
  const model = await loadModel(dir, { backend });
  const y = await model.predict({ data: Float32Array.from(data), shape });
  out[backend] = Array.from(await y.data());
}
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model = _classifier()
    path = tmp_path_factory.mktemp("classifier") / "b"
    wg.export(model, path, verbose=0)
    x = _x((4, 8, 8, 3), seed=6)
    return model, path, x, model.predict(x, verbose=0)


def test_classifier_of_new_layers_exports_and_the_runner_matches_predict(exported):
    from webgrad.exporter.runner import load_bundle

    _, path, x, want = exported
    np.testing.assert_allclose(load_bundle(path).predict(x), want, rtol=1e-5, atol=1e-5)
    ops = {n["op"] for n in json.loads((path / "model.json").read_text())["graph"]["nodes"]}
    assert {"Conv2D", "Conv2DTranspose", "Gather", "Pad", "Slice", "Transpose", "ReduceMax"} <= ops


def test_classifier_of_new_layers_saves_and_loads_as_a_keras_file(exported, tmp_path):
    model, _, x, want = exported
    model.save(tmp_path / "m.keras")
    again = wg.models.load_model(tmp_path / "m.keras")
    assert [type(la).__name__ for la in again.layers] == [type(la).__name__ for la in model.layers]
    np.testing.assert_array_equal(again.predict(x, verbose=0), want)


def test_fit_on_the_jax_backend_draws_augmentation_from_the_step_key():
    """Under backend='jax' a random layer draws from the jitted step's key: training runs, is
    reproducible for a seed, and leaves the layer drawing from numpy again afterwards."""
    pytest.importorskip("jax")

    def trained() -> list[np.ndarray]:
        wg.set_seed(3)
        flip = L.RandomFlip(seed=1)
        model = wg.Sequential([wg.Input((4, 4, 1)), flip, L.GaussianNoise(0.1), L.Flatten(),
                               L.Dense(2, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", backend="jax")
        before = model.get_weights()
        model.fit(_x((8, 4, 4, 1)), np.arange(8) % 2, batch_size=4, epochs=2, verbose=0)
        assert flip.random_source is None
        assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights(), strict=True))
        return model.get_weights()

    for a, b in zip(trained(), trained(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js 20")
def test_classifier_of_new_layers_runs_in_the_npm_runtime_on_js_and_wasm(exported, tmp_path):
    _, path, x, want = exported
    (tmp_path / "in.json").write_text(json.dumps({"data": x.ravel().tolist(), "shape": list(x.shape)}))
    script = tmp_path / "predict.mjs"
    script.write_text(NODE_PREDICT % (ROOT / "js_runtime" / "src" / "index.js").as_uri())
    out = subprocess.run(["node", str(script), str(path), str(tmp_path / "in.json")],
                         capture_output=True, text=True, timeout=120, check=True)
    for backend, values in json.loads(out.stdout).items():
        got = np.asarray(values, np.float32).reshape(want.shape)
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4, err_msg=backend)
