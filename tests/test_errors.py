"""Bad input gets a clear error and loses nothing."""

from __future__ import annotations

import numpy as np
import pytest

import webgrad as wg
from webgrad import layers


def _compiled(inputs=(5,), classes=3):
    model = wg.Sequential([layers.Input(inputs), layers.Dense(8, activation="relu"),
                           layers.Dense(classes, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_wrong_input_shape_names_expected_shape():
    model = _compiled()
    with pytest.raises(ValueError, match=r"expects shape \(None, 5\).*got an array of shape \(4, 6\)"):
        model.fit(np.zeros((4, 6), np.float32), np.zeros(4, np.int32), verbose=0)
    with pytest.raises(ValueError, match=r"expects shape \(None, 5\)"):
        model.predict(np.zeros((4, 5, 1), np.float32))
    with pytest.raises(ValueError, match=r"expects shape"):
        model.evaluate(np.zeros((5,), np.float32), np.zeros(1, np.int32), verbose=0)


def test_wrong_input_dtype():
    model = _compiled()
    with pytest.raises(TypeError, match="numeric"):
        model.predict(np.array([["a"] * 5]))


def test_labels_out_of_range_and_count_mismatch():
    model = _compiled()
    x = np.zeros((4, 5), np.float32)
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\).*found 7 at index 2"):
        model.fit(x, np.array([0, 1, 7, 2]), verbose=0)
    with pytest.raises(ValueError, match=r"found -1"):
        model.evaluate(x, np.array([0, -1, 1, 2]), verbose=0)
    with pytest.raises(ValueError, match="3 labels for 4 input examples"):
        model.fit(x, np.array([0, 1, 2]), verbose=0)
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # nothing trained


def test_nan_loss_stops_naming_epoch_and_batch():
    model = _compiled()
    x = np.random.default_rng(0).normal(size=(64, 5)).astype(np.float32)
    x[40] = np.nan  # in the third batch of 16 when not shuffled
    y = np.zeros(64, np.int32)
    with pytest.raises(wg.TrainingDivergedError, match=r"epoch 1, batch 3 of 4"):
        model.fit(x, y, batch_size=16, shuffle=False, verbose=0)
    assert all(np.isfinite(w).all() for w in model.get_weights())  # the bad batch was not applied


@pytest.mark.parametrize("make,match", [
    (lambda: wg.optimizers.get("adamm"), "unknown optimizer 'adamm'; valid: sgd, adam, adamw, rmsprop"),
    (lambda: wg.losses.get("crossentropy"), "unknown loss 'crossentropy'; valid: .*sparse_categorical_crossentropy"),
    (lambda: wg.metrics.get("acuracy"), "unknown metric 'acuracy'; valid: accuracy"),
    (lambda: wg.layers.get_layer_class("Dense2"), "unknown layer 'Dense2'; valid: .*Conv2D.*Dense"),
    (lambda: wg.layers.Dense(3, activation="relu7"), "unknown activation 'relu7'; valid: .*relu6"),
    (lambda: wg.initializers.get("he"), "unknown initializer 'he'; valid: .*he_normal"),
])
def test_unknown_names_list_valid_ones(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_compile_rejects_unknown_names():
    model = _compiled()
    with pytest.raises(ValueError, match="unknown metric"):
        model.compile(optimizer="adam", loss="mse", metrics=["f1"])
    with pytest.raises(ValueError, match="unknown loss"):
        model.compile(optimizer="adam", loss="hinge2")


def test_incompatible_layers_name_both_layers_and_shapes():
    x = wg.Input((10,))
    h = layers.Dense(4, name="dense_a")(x)
    with pytest.raises(wg.layers.IncompatibleShapesError,
                       match=r"layer 'conv' \(Conv2D\) cannot take input \(None, 4\) from layer 'dense_a' \(Dense\)"):
        layers.Conv2D(8, 3, name="conv")(h)
    a = layers.Dense(4, name="left")(x)
    b = layers.Dense(5, name="right")(x)
    with pytest.raises(wg.layers.IncompatibleShapesError,
                       match=r"'add'.*\(None, 4\) from layer 'left'.*\(None, 5\) from layer 'right'"):
        layers.Add(name="add")([a, b])
    want = r"'flat2' \(Reshape\) cannot take input \(None, 4, 4, 3\) from layer 'd' \(Dense\)"
    with pytest.raises(wg.layers.IncompatibleShapesError, match=want):
        wg.Sequential([layers.Input((8, 8, 2)), layers.MaxPooling2D(2, name="pool"),
                       layers.Dense(3, name="d"), layers.Reshape((5, 5), name="flat2")])


def test_uncompiled_and_set_weights_errors():
    model = wg.Sequential([layers.Input((5,)), layers.Dense(3)])
    with pytest.raises(RuntimeError, match="must be compiled"):
        model.fit(np.zeros((2, 5), np.float32), np.zeros(2), verbose=0)
    with pytest.raises(ValueError, match="has 2 weights, got 1"):
        model.layers[0].set_weights([np.zeros((5, 3))])
    with pytest.raises(ValueError, match=r"has shape \(5, 3\), got \(3, 5\)"):
        model.layers[0].set_weights([np.zeros((3, 5)), np.zeros(3)])
