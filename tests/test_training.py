"""End-to-end training on the numpy reference: convergence, determinism, callbacks, functional models."""

from __future__ import annotations

import numpy as np
import pytest

import webgrad as wg
from webgrad import layers


def _mlp(inputs: int, classes: int = 10) -> wg.Sequential:
    return wg.Sequential([layers.Input((inputs,)), layers.Dense(64, activation="relu"),
                          layers.Dense(classes, activation="softmax")])


def test_digits_mlp_learns(digits_data):
    x, y, xt, yt = digits_data
    model = _mlp(64)
    model.compile(optimizer=wg.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=8, verbose=0)
    _loss, acc = model.evaluate(xt, yt, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] / 3
    assert acc >= 0.93, acc
    # evaluate's accuracy agrees with predict + argmax computed here
    assert acc == pytest.approx(np.mean(model.predict(xt).argmax(1) == yt))


def test_small_cnn_learns_digits(digits_data):
    x, y, xt, yt = digits_data
    x4, xt4 = x.reshape(-1, 8, 8, 1), xt.reshape(-1, 8, 8, 1)
    model = wg.Sequential([
        layers.Input((8, 8, 1)), layers.Conv2D(8, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(16, 3, activation="relu"), layers.Flatten(), layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x4, y, batch_size=32, epochs=6, verbose=0)
    assert model.evaluate(xt4, yt, verbose=0)[1] >= 0.9


def test_same_seed_same_result(blobs):
    x, y = blobs

    def run():
        wg.set_seed(7)
        model = wg.Sequential([layers.Input((5,)), layers.Dense(8, activation="relu"), layers.Dropout(0.3),
                               layers.Dense(3, activation="softmax")])
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        model.fit(x, y, batch_size=16, epochs=2, verbose=0)
        return model.get_weights()

    a, b = run(), run()
    for wa, wb in zip(a, b, strict=True):
        np.testing.assert_array_equal(wa, wb)
    wg.set_seed(8)
    c = wg.Sequential([layers.Input((5,)), layers.Dense(8)]).get_weights()
    assert not np.array_equal(c[0], a[0])


@pytest.mark.parametrize("optimizer", [
    wg.optimizers.SGD(0.1, momentum=0.9, nesterov=True), wg.optimizers.RMSprop(0.01),
    wg.optimizers.AdamW(0.01, weight_decay=0.01),
    wg.optimizers.Adam(wg.schedules.ExponentialDecay(0.01, decay_steps=10, decay_rate=0.9)),
])
def test_every_optimizer_trains(blobs, optimizer):
    x, y = blobs
    model = _mlp(5, 3)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=5, verbose=0)
    assert model.evaluate(x, y, verbose=0)[1] > 0.95


@pytest.mark.parametrize("loss,encode,act", [
    ("categorical_crossentropy", lambda y: np.eye(3, dtype=np.float32)[y], "softmax"),
    (wg.losses.SparseCategoricalCrossentropy(from_logits=True), lambda y: y, None),
    ("mse", lambda y: np.eye(3, dtype=np.float32)[y], "softmax"),
])
def test_losses_train(blobs, loss, encode, act):
    x, y = blobs
    model = wg.Sequential([layers.Input((5,)), layers.Dense(16, activation="relu"), layers.Dense(3, activation=act)])
    model.compile(optimizer=wg.optimizers.Adam(0.02), loss=loss)
    model.fit(x, encode(y), batch_size=32, epochs=6, verbose=0)
    assert np.mean(model.predict(x).argmax(1) == y) > 0.95


def test_binary_crossentropy_trains(blobs):
    x, y = blobs
    yb = (y == 0).astype(np.float32)
    model = wg.Sequential([layers.Input((5,)), layers.Dense(8, activation="relu"),
                           layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=wg.optimizers.Adam(0.02), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, yb, batch_size=32, epochs=6, verbose=0)
    assert model.evaluate(x, yb, verbose=0)[1] > 0.95


def test_validation_split_and_history(blobs):
    x, y = blobs
    model = _mlp(5, 3)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, epochs=3, validation_split=0.2, verbose=0)
    assert set(h.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert h.epoch == [0, 1, 2] and len(h.history["val_loss"]) == 3
    # the held-out part is the last 20%, as in Keras: val_loss equals evaluating it directly
    assert h.history["val_loss"][-1] == pytest.approx(model.evaluate(x[240:], y[240:], verbose=0)[0], rel=1e-5)


def test_early_stopping_stops_and_restores(blobs):
    x, y = blobs
    model = _mlp(5, 3)
    model.compile(optimizer=wg.optimizers.SGD(1e-9), loss="sparse_categorical_crossentropy")
    stop = wg.callbacks.EarlyStopping(monitor="loss", patience=1, min_delta=0.1)
    h = model.fit(x, y, epochs=20, callbacks=[stop], verbose=0)
    assert len(h.epoch) == 2 and stop.stopped_epoch == 1

    model.compile(optimizer=wg.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    stop = wg.callbacks.EarlyStopping(monitor="val_loss", patience=0, restore_best_weights=True)
    h = model.fit(x, y, epochs=30, validation_split=0.3, callbacks=[stop], verbose=0)
    best = int(np.argmin(h.history["val_loss"]))
    assert model.evaluate(x[210:], y[210:], verbose=0) == pytest.approx(h.history["val_loss"][best], rel=1e-5)


def test_functional_multi_input_multi_output(blobs):
    x, y = blobs
    a, b = wg.Input((3,), name="a"), wg.Input((2,), name="b")
    h = layers.Concatenate()([layers.Dense(8, activation="relu")(a), layers.Dense(8, activation="relu")(b)])
    h = layers.Add()([h, layers.Dense(16)(h)])
    cls = layers.Dense(3, activation="softmax", name="cls")(h)
    reg = layers.Dense(1, name="reg")(h)
    model = wg.Model([a, b], [cls, reg])
    model.compile(optimizer=wg.optimizers.Adam(0.02), loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
                  metrics=["accuracy"])
    target = x[:, :1] * 2
    h = model.fit({"a": x[:, :3], "b": x[:, 3:]}, [y, target], epochs=8, batch_size=32, verbose=0)
    assert {"cls_accuracy", "reg_accuracy"} <= set(h.history)
    p_cls, p_reg = model.predict([x[:, :3], x[:, 3:]])
    assert p_cls.shape == (300, 3) and p_reg.shape == (300, 1)
    assert np.mean(p_cls.argmax(1) == y) > 0.9
    assert np.mean((p_reg - target) ** 2) < np.var(target) / 4


def test_batchnorm_layernorm_embedding_models_train(blobs):
    x, y = blobs
    model = wg.Sequential([layers.Input((5,)), layers.Dense(16), layers.BatchNormalization(),
                           layers.Activation("relu"), layers.LayerNormalization(),
                           layers.Dense(3, activation="softmax")])
    model.compile(optimizer=wg.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=5, batch_size=32, verbose=0)
    bn = model.layers[1]
    assert not np.allclose(bn.moving_mean.numpy(), 0)  # moving statistics were updated
    assert model.evaluate(x, y, verbose=0)[1] > 0.9

    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 20, (200, 6)).astype(np.int32)
    label = (tokens < 10).sum(1) > 3
    emb = wg.Sequential([wg.Input((6,), dtype="int32"), layers.Embedding(20, 8), layers.GlobalAveragePooling1D(),
                         layers.Dense(2, activation="softmax")])
    emb.compile(optimizer=wg.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    emb.fit(tokens, label.astype(np.int32), epochs=15, batch_size=32, verbose=0)
    assert emb.evaluate(tokens, label.astype(np.int32), verbose=0)[1] > 0.85


def test_mobilenet_style_trains_one_step():
    model = wg.zoo.mobilenet_v2_style((16, 16, 3), classes=4, width=8)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 16, 16, 3)).astype(np.float32)
    y = rng.integers(0, 4, 8)
    before = model.get_weights()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    changed = [not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True)]
    assert sum(changed) == len(model.weights)  # every weight moved (trainable) or was re-estimated (BN stats)


def test_progress_bar_shows_metrics_and_eta(blobs, capsys):
    x, y = blobs
    model = _mlp(5, 3)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=32, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/1" in out and "loss:" in out and "accuracy:" in out and "10/10" in out and "<" in out
    model.fit(x, y, epochs=1, batch_size=32, verbose=2)
    assert "Epoch 1/1 - loss:" in capsys.readouterr().out
