"""``wg.export`` end to end: model -> bundle -> the numpy bundle runner gives the model's outputs."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import webgrad as wg
from webgrad.exporter.capture import CaptureError
from webgrad.exporter.runner import load_bundle
from webgrad.layers import Layer
from webgrad.tensor import SymbolicTensor, Tensor

# Largest |bundle - model| on softmax outputs, per storage: float32 is the same math (up to the
# batch-norm folding's rounding); quantized weights move the probabilities a little.
TOLERANCE = {None: 1e-5, "float16": 5e-3, "int8": 3e-2}


def _data(model, n=16, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, *model.inputs[0].shape[1:]), dtype=np.float32)
    return x, rng.integers(0, 10, n).astype(np.int32)


def _trained(model, steps_data=None):
    """One short epoch on random data (so the training metrics exist and BN statistics move), then
    non-trivial batch-norm statistics, so folding them is really tested."""
    x, y = steps_data or _data(model)
    model.compile(optimizer=wg.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    rng = np.random.default_rng(5)
    for layer in model.layers:
        if isinstance(layer, wg.layers.BatchNormalization):
            c = layer.gamma.shape[0]
            layer.set_weights([rng.uniform(0.5, 1.5, c), rng.uniform(-0.5, 0.5, c),
                               layer.moving_mean.numpy() + rng.uniform(-0.2, 0.2, c), rng.uniform(0.5, 2, c)])
    return model


MODELS = {
    "mlp": lambda: wg.zoo.mnist_mlp(64),
    "cnn": wg.zoo.mnist_cnn,
    "mobilenet": lambda: wg.zoo.mobilenet_v2_style((32, 32, 3)),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_bundle_runs_like_the_model_in_every_storage(name, tmp_path):
    model = _trained(MODELS[name]())
    x, _ = _data(model, 8, seed=1)
    want = model.predict(x)
    for quantize, tol in TOLERANCE.items():
        path = tmp_path / f"{name}-{quantize}"
        report = wg.export(model, path, quantize=quantize, verbose=0)
        got = load_bundle(path).predict(x)
        err = float(np.max(np.abs(got - want)))
        assert got.shape == want.shape and err <= tol, (quantize, err)
        if quantize == "int8":
            assert report.bytes_stored < report.bytes_float32 / 3
        if quantize == "float16":
            assert report.bytes_stored < report.bytes_float32 / 1.9


def test_mobilenet_graph_is_optimized_in_the_bundle(tmp_path):
    model = _trained(MODELS["mobilenet"]())
    report = wg.export(model, tmp_path / "m", verbose=0)
    nodes = json.loads((tmp_path / "m" / "model.json").read_text())["graph"]["nodes"]
    assert (report.nodes_captured, report.nodes) == (49, len(nodes)) and len(nodes) == 22
    assert {n["op"] for n in nodes} == {"Conv2D", "Add", "GlobalAvgPool", "MatMul", "Softmax"}
    unoptimized = wg.export(model, tmp_path / "raw", optimize=False, verbose=0)
    assert unoptimized.nodes == 49


def test_metadata_report_and_printout(tmp_path, capsys):
    model = _trained(MODELS["mlp"]())
    x, y = _data(model, 32, seed=2)
    report = wg.export(model, tmp_path / "b", quantize="int8", labels=range(10), preprocessing={"scale": 1 / 255},
                       validation_data=(x, y), metadata={"author": "tests"})
    meta = load_bundle(tmp_path / "b").metadata
    assert meta["labels"] == [str(i) for i in range(10)] and meta["preprocessing"] == {"scale": 1 / 255}
    assert meta["task"] == "classification" and meta["author"] == "tests"
    assert meta["training"]["epochs"] == 1 and {"loss", "accuracy"} <= set(meta["training"])
    rebuilt = wg.models.model_from_config(meta["model_config"])
    assert rebuilt.count_params() == model.count_params()
    assert report.accuracy_model == pytest.approx(float(np.mean(model.predict(x).argmax(-1) == y)))
    assert abs(report.accuracy_bundle - report.accuracy_model) <= 2 / 32
    assert 0 < report.max_abs_diff <= TOLERANCE["int8"]
    out = capsys.readouterr().out
    assert "as float32 ->" in out and "stored (int8" in out and "validation accuracy: model" in out


def test_export_is_byte_identical(tmp_path):
    model = _trained(MODELS["cnn"]())
    a = wg.export(model, tmp_path / "a", quantize="int8", labels=list("0123456789"), verbose=0)
    b = wg.export(model, tmp_path / "b", quantize="int8", labels=list("0123456789"), verbose=0)
    assert [f.name for f in a.files] == [f.name for f in b.files]
    for fa, fb in zip(a.files, b.files, strict=True):
        assert fa.read_bytes() == fb.read_bytes(), fa.name


def test_fine_tune_round_trip(tmp_path):
    model = _trained(MODELS["mobilenet"]())
    wg.export(model, tmp_path / "v1", labels=list("abcdefghij"), verbose=0)
    loaded = wg.load_model(tmp_path / "v1")
    x, y = _data(model, 16, seed=3)
    loaded.compile(optimizer=wg.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    before = loaded.evaluate(x, y, verbose=0)
    loaded.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert loaded.evaluate(x, y, verbose=0) < before
    wg.export(loaded, tmp_path / "v2", verbose=0)
    runner = load_bundle(tmp_path / "v2")
    np.testing.assert_allclose(runner.predict(x), loaded.predict(x), atol=1e-5)
    assert runner.labels == list("abcdefghij")  # kept from the first bundle
    assert runner.signature == load_bundle(tmp_path / "v1").signature


class NumpySoftsign(Layer):
    def call(self, x, training=False):
        if isinstance(x, SymbolicTensor):
            return SymbolicTensor(x.shape, x.dtype)
        a = np.asarray(x)
        return Tensor(a / (1 + np.abs(a)))


def test_unmapped_layer_names_the_layer_and_writes_nothing(tmp_path):
    model = wg.Sequential([wg.Input((4,)), wg.layers.Dense(3), NumpySoftsign(name="soft")])
    with pytest.raises(CaptureError, match=r"layer 'soft' \(NumpySoftsign\) has no op mapping"):
        wg.export(model, tmp_path / "b", verbose=0)
    assert not (tmp_path / "b").exists()


# ---- the command line --------------------------------------------------------------------------------
MODEL_FILE = """
import webgrad as wg

def make():
    wg.set_seed(0)
    return wg.zoo.mnist_mlp(32)

model = make()
"""


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "webgrad.cli", "export", *args], capture_output=True, text=True,
                          timeout=120)


def test_cli_export(tmp_path):
    (tmp_path / "my_model.py").write_text(MODEL_FILE)
    x = np.random.default_rng(0).random((20, 784), dtype=np.float32)
    np.savez(tmp_path / "val.npz", x=x, y=np.arange(20) % 10)
    r = _cli(f"{tmp_path / 'my_model.py'}:make", str(tmp_path / "bundle"), "--quantize", "int8",
             "--labels", ",".join("0123456789"), "--scale", "0.00392", "--validation-data", str(tmp_path / "val.npz"))
    assert r.returncode == 0, r.stderr
    assert "stored (int8" in r.stdout and "validation accuracy" in r.stdout
    meta = load_bundle(tmp_path / "bundle").metadata
    assert meta["labels"] == list("0123456789") and meta["preprocessing"] == {"scale": 0.00392}
    r = _cli(f"{tmp_path / 'my_model.py'}", str(tmp_path / "b2"))  # NAME defaults to "model"
    assert r.returncode == 0, r.stderr


def test_cli_export_errors(tmp_path):
    (tmp_path / "my_model.py").write_text(MODEL_FILE)
    r = _cli(f"{tmp_path / 'my_model.py'}:nope", str(tmp_path / "b"))
    assert r.returncode == 2 and "has no attribute 'nope'" in r.stderr and "make" in r.stderr
    r = _cli(str(tmp_path / "missing.py"), str(tmp_path / "b"))
    assert r.returncode == 2 and "no such Python file" in r.stderr
