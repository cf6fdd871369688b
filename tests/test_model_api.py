"""Model building, summary, weights and configs."""

from __future__ import annotations

import numpy as np
import pytest

import webgrad as wg
from webgrad import layers


def test_summary_shapes_and_param_counts(capsys):
    model = wg.zoo.mnist_cnn()
    text = model.summary()
    # parameter counts from the layer formulas: k*k*cin*cout + cout, in*out + out
    conv1, conv2 = 3 * 3 * 1 * 32 + 32, 3 * 3 * 32 * 64 + 64
    dense1, dense2 = 5 * 5 * 64 * 128 + 128, 128 * 10 + 10
    for shape, count in [("(None, 26, 26, 32)", conv1), ("(None, 13, 13, 32)", 0), ("(None, 11, 11, 64)", conv2),
                         ("(None, 5, 5, 64)", 0), ("(None, 1600)", 0), ("(None, 128)", dense1),
                         ("(None, 10)", dense2)]:
        assert any(shape in line and line.split()[-1] == f"{count:,}" for line in text.splitlines()), shape
    assert f"Total params: {conv1 + conv2 + dense1 + dense2:,}" in text
    assert "Non-trainable params: 0" in text
    assert text in capsys.readouterr().out


def test_summary_of_functional_lists_connections():
    a = wg.Input((4,), name="in_a")
    h = layers.Add(name="sum")([layers.Dense(4, name="d1")(a), a])
    model = wg.Model(a, layers.BatchNormalization(name="bn")(h))
    text = model.summary(print_fn=None)
    assert "Connected to" in text and "d1, in_a" in text
    assert "Trainable params: 28" in text and "Non-trainable params: 8" in text


def test_weights_roundtrip_and_predict_matches_numpy():
    model = wg.Sequential([layers.Input((4,)), layers.Dense(3, activation="relu"), layers.Dense(2)])
    w = model.get_weights()
    assert [a.shape for a in w] == [(4, 3), (3,), (3, 2), (2,)]
    rng = np.random.default_rng(0)
    new = [rng.normal(size=a.shape).astype(np.float32) for a in w]
    model.set_weights(new)
    x = rng.normal(size=(5, 4)).astype(np.float32)
    want = np.maximum(x @ new[0] + new[1], 0) @ new[2] + new[3]
    np.testing.assert_allclose(model.predict(x), want, rtol=1e-5, atol=1e-6)
    w[0][:] = 0  # get_weights returns copies
    assert not np.array_equal(model.get_weights()[0], w[0])


def test_sequential_builds_from_data():
    model = wg.Sequential([layers.Dense(3), layers.Dense(2)])
    assert not model.built
    out = model.predict(np.ones((2, 7), np.float32))
    assert out.shape == (2, 2) and model.input_shapes == [(None, 7)]
    assert model.count_params() == 7 * 3 + 3 + 3 * 2 + 2


@pytest.mark.parametrize("build", [
    lambda: wg.zoo.mnist_cnn(),
    lambda: wg.zoo.mobilenet_v2_style((16, 16, 3), classes=5, width=8),
    lambda: wg.Sequential([layers.Input((6,), dtype="int32"), layers.Embedding(10, 4), layers.Dropout(0.2),
                           layers.LayerNormalization(), layers.GlobalAveragePooling1D(), layers.Dense(2)]),
])
def test_config_roundtrip_gives_same_function(build):
    model = build()
    spec = {"class_name": type(model).__name__, "config": model.get_config()}
    import json

    clone = wg.models.model_from_config(json.loads(json.dumps(spec)))  # configs are plain JSON
    assert [type(la).__name__ for la in clone.layers] == [type(la).__name__ for la in model.layers]
    clone.set_weights(model.get_weights())
    shape = model.input_shapes[0][1:]
    rng = np.random.default_rng(0)
    if model.inputs[0].dtype == "int32":
        x = rng.integers(0, 10, (3, *shape)).astype(np.int32)
    else:
        x = rng.normal(size=(3, *shape)).astype(np.float32)
    np.testing.assert_allclose(clone.predict(x), model.predict(x), rtol=1e-6)


def test_layer_configs_roundtrip():
    for layer in [layers.Conv2D(4, (3, 2), strides=2, padding="same", dilation_rate=1, groups=1, activation="gelu"),
                  layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same"),
                  layers.AveragePooling2D(3, strides=1, padding="same"), layers.Reshape((2, -1)),
                  layers.Dense(5, activation="leaky_relu", use_bias=False, kernel_initializer="he_normal")]:
        cfg = layer.get_config()
        assert type(layer).from_config(cfg).get_config() == cfg


def test_model_inputs_must_come_from_input():
    with pytest.raises(TypeError, match=r"wg\.Input"):
        wg.Model(np.zeros(3), layers.Dense(2)(wg.Input((3,))))


def test_depthwise_layer_matches_per_channel_conv():
    layer = layers.DepthwiseConv2D(3, depth_multiplier=2, padding="valid", use_bias=False)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 5, 5, 3)).astype(np.float32)
    y = layer(x).numpy()
    k = layer.kernel.numpy()  # [3, 3, 1, 6], output channel c * 2 + m
    want = np.zeros((2, 3, 3, 6), np.float32)
    for c in range(3):
        for m in range(2):
            for i in range(3):
                for j in range(3):
                    want[..., c * 2 + m] += x[:, i:i + 3, j:j + 3, c] * k[i, j, 0, c * 2 + m]
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-5)


def test_lazy_sequential_can_be_evaluated_before_training():
    model = wg.Sequential([layers.Dense(4, activation="relu"), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).normal(size=(6, 5)).astype(np.float32)
    y = np.array([0, 1, 2, 0, 1, 2])
    loss, acc = model.evaluate(x, y, verbose=0)
    p = model.predict(x)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(6), y])), rel=1e-5)
    assert acc == pytest.approx(np.mean(p.argmax(1) == y))
