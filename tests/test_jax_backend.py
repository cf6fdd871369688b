"""The jax backend against the numpy reference: loss parity over 20 steps (MLP, MNIST CNN, a
MobileNetV2-style net, DP-SGD), the Keras API on jax, mixed precision, the bundle round trip through
the npm runtime, and the bad inputs (unknown backend, missing JAX, an op with no lowering).

Parity compares per-step training losses in float32 from the same initial weights and batches
(shuffle off). DP-SGD parity uses real noise: both backends draw it on the host from the run's seeded
generator (``privacy.draw_noise``), so they add identical noise and the losses must still agree.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import webgrad as wg

jax = pytest.importorskip("jax")
from webgrad.backends import jax_ops  # noqa: E402

ROOT = Path(__file__).parent.parent
RTOL = 1e-4


class _BatchLosses(wg.callbacks.Callback):
    """Per-batch losses, recovered from the running mean that fit logs."""

    def __init__(self) -> None:
        self.means: list[float] = []

    def on_train_batch_end(self, batch, logs=None):
        self.means.append(logs["loss"])

    def per_batch(self, batch_size: int) -> np.ndarray:
        m = np.asarray(self.means, np.float64)  # equal batches: loss_b = (b+1) * mean_b - b * mean_{b-1}
        return np.concatenate([m[:1], m[1:] * np.arange(2, len(m) + 1) - m[:-1] * np.arange(1, len(m))])


def _losses(backend, make_model, x, y, batch_size, optimizer="adam", **fit):
    wg.layers.clear_session()
    wg.set_seed(0)
    model = make_model()
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"], backend=backend)
    cb = _BatchLosses()
    model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0, callbacks=[cb], **fit)
    return cb.per_batch(batch_size), model


def _data(shape, n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, *shape)).astype(np.float32)
    # learnable labels: the top class of a fixed random projection
    y = (x.reshape(n, -1) @ rng.normal(size=(int(np.prod(shape)), 10))).argmax(axis=1)
    return x, y.astype(np.int32)


def _assert_parity(make_model, shape, batch_size, steps=20, weights_atol=1e-4, **fit):
    x, y = _data(shape, steps * batch_size)
    ref, ref_model = _losses("numpy", make_model, x, y, batch_size, **fit)
    got, jax_model = _losses("jax", make_model, x, y, batch_size, **fit)
    assert len(got) == steps
    np.testing.assert_allclose(got, ref, rtol=RTOL)
    wg.set_seed(0)
    initial = make_model().get_weights()
    assert any(not np.allclose(a, b) for a, b in zip(initial, jax_model.get_weights(), strict=True))  # it trained
    for a, b in zip(ref_model.get_weights(), jax_model.get_weights(), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-3, atol=weights_atol)
    return jax_model


def test_mlp_losses_match_numpy_over_20_steps():
    _assert_parity(lambda: wg.zoo.mnist_mlp(32), (784,), 16, optimizer=wg.optimizers.SGD(0.05, momentum=0.9))


def test_mnist_cnn_losses_match_numpy_over_20_steps():
    _assert_parity(wg.zoo.mnist_cnn, (28, 28, 1), 4)


def test_mobilenet_v2_style_losses_match_numpy_over_20_steps():
    # BatchNorm in training mode: batch statistics and moving averages come back as the step's state
    # weights only loosely: a BatchNorm beta feeding the next BatchNorm has a zero true gradient, whose
    # rounding noise Adam scales up to full-size steps on either backend
    model = _assert_parity(lambda: wg.zoo.mobilenet_v2_style((16, 16, 3), width=8), (16, 16, 3), 4,
                           weights_atol=3e-2)
    bn = next(la for la in model.layers if isinstance(la, wg.layers.BatchNormalization))
    assert not np.allclose(bn.moving_mean.numpy(), 0)


def test_dp_sgd_losses_match_numpy_with_the_same_noise():
    _assert_parity(lambda: wg.zoo.mnist_mlp(16), (784,), 8,
                   dp=wg.DPConfig(l2_norm_clip=0.5, noise_multiplier=1.1, seed=5))


# ---- the API on jax ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained_blobs():
    rng = np.random.default_rng(0)
    centers = rng.normal(0, 3, (3, 5))
    y = rng.integers(0, 3, 240).astype(np.int32)
    x = (centers[y] + rng.normal(0, 0.5, (240, 5))).astype(np.float32)
    wg.set_seed(3)
    model = wg.Sequential([wg.layers.Input((5,)), wg.layers.Dense(16, activation="relu"), wg.layers.Dropout(0.2),
                           wg.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=wg.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  backend="jax")
    stop = wg.callbacks.EarlyStopping(monitor="val_loss", patience=0, min_delta=10.0)
    history = model.fit(x, y, batch_size=32, epochs=5, validation_split=0.25, verbose=0, callbacks=[stop])
    return model, history, x, y


def test_fit_history_callbacks_metrics_on_jax(trained_blobs):
    _, history, _, _ = trained_blobs
    assert set(history.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(history.history["loss"]) == 2  # EarlyStopping (min_delta 10 never improves) stopped it
    assert history.history["accuracy"][-1] > 0.8


def test_evaluate_and_predict_on_jax_match_the_numpy_reference(trained_blobs):
    model, _, x, y = trained_blobs
    probs = model.predict(x[:37], batch_size=16)
    numpy_model = wg.models.model_from_config({"class_name": "Sequential", "config": model.get_config()})
    numpy_model.set_weights(model.get_weights())
    np.testing.assert_allclose(probs, numpy_model.predict(x[:37]), rtol=1e-5, atol=1e-6)
    numpy_model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"], backend="numpy")
    want = numpy_model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=50, verbose=0), want, rtol=1e-5)


def test_non_finite_loss_stops_before_applying_the_batch():
    x, y = _data((4,), 64)
    y %= 3
    x[40:] = np.inf
    model = wg.Sequential([wg.layers.Input((4,)), wg.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", backend="jax")
    with pytest.raises(wg.TrainingDivergedError, match="batch 3 of 4"):
        model.fit(x, y, batch_size=16, shuffle=False, verbose=0)
    assert all(np.isfinite(w).all() for w in model.get_weights()) and model.optimizer.iterations == 2


def test_mixed_precision_trains_and_keeps_float32_master_weights():
    x, y = _data((12,), 128)
    y = (x[:, 0] > 0).astype(np.int32)
    model = wg.Sequential([wg.layers.Input((12,)), wg.layers.Dense(32, activation="relu"),
                           wg.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=wg.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  backend="jax", mixed_precision="bfloat16")
    history = model.fit(x, y, batch_size=32, epochs=6, verbose=0)
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]
    steps = model._backend_steps()
    assert {str(p.dtype) for p in steps.params} == {"float32"}
    assert {str(s["m"].dtype) for s in steps.slots} == {"float32"}
    assert {w.dtype for w in model.get_weights()} == {np.dtype(np.float32)}
    # bfloat16 compute really differs from float32 compute on the same weights
    lowered = jax_ops.lowering("MatMul")
    a, b = jax.numpy.asarray(x[:4]), jax.numpy.asarray(model.get_weights()[0])
    attrs = {"transpose_a": False, "transpose_b": False, "activation": "none", "alpha": 0.2}
    from webgrad.backends.jax_ops._policy import computing_in

    with computing_in(jax.numpy.bfloat16):
        half = np.asarray(lowered([a, b, None], attrs))
    assert half.dtype == np.float32 and not np.array_equal(half, np.asarray(lowered([a, b, None], attrs)))


def test_cli_train_with_backend_jax(tmp_path, capsys):
    from webgrad.cli import main

    out = tmp_path / "r.json"
    assert main(["train", "digits", "--epochs", "2", "--backend", "jax", "--verbose", "0", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["backend"] == "jax" and result["test_accuracy"] > 0.5


# ---- backend selection and bad input -----------------------------------------------------------------


def test_set_backend_makes_compile_use_it():
    try:
        wg.set_backend("jax")
        assert wg.get_backend() == "jax"
        model = wg.Sequential([wg.layers.Input((3,)), wg.layers.Dense(2)])
        model.compile(loss="mse")
        assert type(model._backend_steps()).__name__ == "JaxSteps"
    finally:
        wg.set_backend("numpy")


def test_unknown_backend_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown backend 'tpu'; valid: numpy, jax"):
        wg.set_backend("tpu")
    model = wg.Sequential([wg.layers.Input((3,)), wg.layers.Dense(2)])
    with pytest.raises(ValueError, match="valid: numpy, jax"):
        model.compile(loss="mse", backend="torch")
    with pytest.raises(ValueError, match="needs backend='jax'"):
        model.compile(loss="mse", mixed_precision="bfloat16")


def test_without_jax_choosing_it_says_how_to_install_and_numpy_still_works(monkeypatch):
    monkeypatch.setitem(sys.modules, "jax", None)  # `import jax` now raises ImportError
    with pytest.raises(ImportError, match=r'pip install "webgrad\[jax\]"'):
        wg.set_backend("jax")
    model = wg.Sequential([wg.layers.Input((3,)), wg.layers.Dense(2, activation="softmax")])
    with pytest.raises(ImportError, match=r'pip install "webgrad\[jax\]"'):
        model.compile(loss="sparse_categorical_crossentropy", backend="jax")
    model.compile(loss="sparse_categorical_crossentropy")
    x, y = _data((3,), 8)
    model.fit(x, y % 2, verbose=0)
    assert wg.get_backend() == "numpy"


def test_bundle_op_without_a_jax_lowering_is_named(tmp_path, monkeypatch):
    wg.export(wg.zoo.mnist_mlp(8), tmp_path / "b", verbose=0)
    model = wg.load_model(tmp_path / "b")
    monkeypatch.delitem(jax_ops.LOWERINGS, "Softmax")
    model.compile(loss="sparse_categorical_crossentropy", backend="jax")
    x, y = _data((784,), 8)
    with pytest.raises(NotImplementedError, match="op Softmax has no JAX lowering"):
        model.fit(x, y, verbose=0)


# ---- round trip: bundle -> load -> fine-tune on jax -> export -> npm runtime ------------------------------


NODE_PREDICT = """
import { loadModel } from '%s';
import { readFileSync } from 'node:fs';
const [dir, input] = process.argv.slice(2);
const { data, shape } = JSON.parse(readFileSync(input, 'utf8'));
const model = await loadModel(dir, { backend: 'js' });
const y = await model.predict({ data: Float32Array.from(data), shape });
console.log(JSON.stringify(Array.from(await y.data())));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js 20")
def test_round_trip_fine_tuned_on_jax_runs_in_the_npm_runtime(tmp_path):
    from webgrad.exporter import load_bundle

    x, y = _data((28, 28, 1), 32)
    wg.set_seed(1)
    source = wg.zoo.mnist_cnn()
    source.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    source.fit(x, y, batch_size=16, epochs=1, verbose=0)
    wg.export(source, tmp_path / "a", verbose=0)
    model = wg.load_model(tmp_path / "a")
    before = model.get_weights()
    model.compile(optimizer=wg.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", backend="jax")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    wg.export(model, tmp_path / "b", verbose=0)
    want = load_bundle(tmp_path / "b").predict(x[:3])
    np.testing.assert_allclose(want, model.predict(x[:3]), rtol=1e-4, atol=1e-5)
    (tmp_path / "in.json").write_text(json.dumps({"data": x[:3].ravel().tolist(), "shape": [3, 28, 28, 1]}))
    script = tmp_path / "predict.mjs"
    script.write_text(NODE_PREDICT % (ROOT / "js_runtime" / "src" / "index.js").as_uri())
    out = subprocess.run(["node", str(script), str(tmp_path / "b"), str(tmp_path / "in.json")],
                         capture_output=True, text=True, timeout=60, check=True)
    got = np.asarray(json.loads(out.stdout), np.float32).reshape(want.shape)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
