"""Trainable bundles (formatVersion 2): what wg.export(trainable=True) writes, the errors it raises, and
wg.load_model continuing training exactly where the bundle left off."""

from __future__ import annotations

import json

import numpy as np
import pytest

import webgrad as wg
from webgrad.exporter import BundleError, load_bundle
from webgrad.exporter.bundle_training import loss_graph


def _mlp(seed: int = 0) -> wg.Model:
    wg.set_seed(seed)
    return wg.Sequential([wg.Input((6,), name="x"), wg.layers.Dense(8, activation="relu", name="h"),
                          wg.layers.Dropout(0.3, name="drop"), wg.layers.Dense(3, activation="softmax", name="p")])


def _data(n: int = 32, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 1, (n, 6)).astype(np.float32), rng.integers(0, 3, n).astype(np.int32)


def _manifest(path) -> dict:
    return json.loads((path / "model.json").read_text())


def test_trainable_bundle_format(tmp_path):
    model = _mlp()
    model.compile(optimizer=wg.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    wg.export(model, tmp_path / "b", trainable=True, verbose=0)
    m = _manifest(tmp_path / "b")
    t = m["training"]
    assert m["formatVersion"] == 2
    assert t["trainable"] == ["h/kernel", "h/bias", "p/kernel", "p/bias"]
    assert t["labels"] == {"name": "labels", "encoding": "onehot", "shape": [None, 3], "classes": 3}
    assert t["lossGraph"]["inputs"] == ["p/MatMul", "labels"]  # the logits: the loss rewrites Softmax
    assert {n["op"] for n in t["lossGraph"]["nodes"]} == {"LogSoftmax", "Mul", "ReduceSum", "Sub"}
    assert t["optimizer"] == {"name": "adam", "learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
    assert t["state"]["slots"]["h/kernel"] == {"m": "opt/h/kernel/m", "v": "opt/h/kernel/v"}
    assert "Dropout" not in {n["op"] for n in m["graph"]["nodes"]}
    assert load_bundle(tmp_path / "b").selftest() == 0.0


def test_loss_graph_computes_the_python_loss(tmp_path):
    """The captured loss graph, run on the numpy reference, gives Python's per-example loss."""
    for loss, y_of in (("sparse_categorical_crossentropy", lambda y: np.eye(3, dtype=np.float32)[y]),
                       ("categorical_crossentropy", lambda y: np.eye(3, dtype=np.float32)[y]),
                       ("mean_squared_error", lambda y: np.eye(3, dtype=np.float32)[y])):
        model = _mlp()
        model.compile(optimizer="sgd", loss=loss)
        x, y = _data(8)
        labels = y if loss == "sparse_categorical_crossentropy" else y_of(y)
        wg.export(model, tmp_path / loss, trainable=True, verbose=0)
        bundle = load_bundle(tmp_path / loss).bundle
        t = bundle.manifest["training"]
        forward = bundle.graph
        g = loss_graph(t, forward)
        values = dict(zip([o.name for o in forward.outputs], forward.run({"x": x}), strict=True))
        # the forward tensors the loss reads, as the runtime has them
        from webgrad.exporter.graph import Graph
        for name in t["lossGraph"]["inputs"]:
            if name != "labels" and name not in values:
                values[name] = Graph(forward.inputs, [type(forward.outputs[0])(name, "float32", ())],
                                     forward.nodes, forward.constants).run({"x": x})[0]
        got = g.run({**{k: values[k] for k in t["lossGraph"]["inputs"] if k != "labels"}, "labels": y_of(y)})[0]
        want = model.compiled_losses[0].call(labels, model.predict(x))
        want = np.asarray(getattr(want, "data", want))
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_frozen_layers_and_optimizer_state(tmp_path):
    model = _mlp()
    model.get_layer("h").trainable = False
    model.compile(optimizer=wg.optimizers.SGD(0.1, momentum=0.9), loss="sparse_categorical_crossentropy")
    x, y = _data()
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    wg.export(model, tmp_path / "b", trainable=True, verbose=0)
    t = _manifest(tmp_path / "b")["training"]
    assert t["trainable"] == ["p/kernel", "p/bias"]
    assert t["state"]["iterations"] == 4 and sorted(t["state"]["slots"]) == ["p/bias", "p/kernel"]
    loaded = wg.load_model(tmp_path / "b")
    assert [w.shape for w in loaded.trainable_weights] == [(8, 3), (3,)]


def test_deterministic_bytes_and_v1_unchanged(tmp_path):
    model = _mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    for d in ("a", "b"):
        wg.export(model, tmp_path / d, trainable=True, verbose=0)
        wg.export(model, tmp_path / f"{d}1", verbose=0)
    for f in ("model.json", "weights-000.bin"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
    m1 = _manifest(tmp_path / "a1")
    assert m1["formatVersion"] == 1 and "training" not in m1


@pytest.mark.parametrize(("kwargs", "compile_first", "match"), [
    ({"quantize": "int8"}, True, "quantize='int8' cannot be combined with trainable=True"),
    ({}, False, "never compiled: pass loss="),
    ({"loss": "sparse_categorical_crossentropy"}, False, "has no optimizer: pass optimizer="),
    ({"optimizer": wg.optimizers.RMSprop()}, True, "RMSprop cannot be exported"),
    ({"optimizer": wg.optimizers.SGD(wg.schedules.ExponentialDecay(0.1, 10, 0.5))}, True, "schedule"),
])
def test_export_errors(tmp_path, kwargs, compile_first, match):
    model = _mlp()
    if compile_first:
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=match):
        wg.export(model, tmp_path / "b", trainable=True, verbose=0, **kwargs)
    assert not (tmp_path / "b").exists()


def test_loss_without_trainable_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="pass trainable=True"):
        wg.export(_mlp(), tmp_path / "b", loss="mse", verbose=0)


def test_training_section_needs_format_version_2(tmp_path):
    model = _mlp()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    wg.export(model, tmp_path / "b", trainable=True, verbose=0)
    m = _manifest(tmp_path / "b")
    m["formatVersion"] = 1
    (tmp_path / "b" / "model.json").write_text(json.dumps(m))
    with pytest.raises(BundleError) as e:
        load_bundle(tmp_path / "b")
    assert e.value.code == "ESCHEMA"


@pytest.mark.parametrize("optimizer", [lambda: wg.optimizers.Adam(0.01),
                                       lambda: wg.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
                                       lambda: wg.optimizers.SGD(0.1)])
def test_load_model_continues_fit_exactly(tmp_path, optimizer):
    """export -> load_model -> fit N steps equals fitting the original N more steps (same batches)."""
    wg.set_seed(3)
    model = wg.Sequential([wg.Input((6,), name="x"), wg.layers.Dense(8, activation="tanh", name="h"),
                           wg.layers.Dense(3, activation="softmax", name="p")])
    model.compile(optimizer=optimizer(), loss="sparse_categorical_crossentropy")
    x, y = _data(48)
    model.fit(x[:16], y[:16], batch_size=8, shuffle=False, verbose=0)  # state to carry over
    wg.export(model, tmp_path / "b", trainable=True, verbose=0)
    loaded = wg.load_model(tmp_path / "b")
    assert loaded.optimizer.iterations == model.optimizer.iterations == 2
    h1 = model.fit(x[16:], y[16:], batch_size=8, shuffle=False, verbose=0, epochs=2)
    h2 = loaded.fit(x[16:], y[16:], batch_size=8, shuffle=False, verbose=0, epochs=2)
    np.testing.assert_allclose(h2.history["loss"], h1.history["loss"], rtol=1e-6)
    assert len(loaded.weights) == len(model.weights)
    for got, want in zip(loaded.weights, model.weights, strict=True):  # same order; layer names differ
        np.testing.assert_allclose(got.numpy(), want.numpy(), atol=1e-6)


def _training_mode_model(frozen_bn: bool = False) -> wg.Model:
    inp = wg.Input((4, 4, 2), name="x")
    h = wg.layers.Conv2D(3, 3, padding="same", name="conv")(inp)
    bn = wg.layers.BatchNormalization(momentum=0.9, name="bn")
    bn.trainable = not frozen_bn
    h = wg.layers.Flatten(name="flat")(bn(h))
    h = wg.layers.Dropout(0.25, name="drop")(h)
    model = wg.Model(inp, wg.layers.Dense(3, activation="softmax", name="out")(h))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model


def test_training_mode_layers_are_listed(tmp_path):
    """Dropout (the tensor it drops, its rate) and a trainable BatchNormalization (its node, momentum) are
    listed for the runtime; the inference graph keeps no Dropout node."""
    wg.export(_training_mode_model(), tmp_path / "b", trainable=True, verbose=0)
    doc = json.loads((tmp_path / "b" / "model.json").read_text())
    assert doc["training"]["dropout"] == [{"tensor": "flat/Flatten", "rate": 0.25}]
    assert doc["training"]["batchNorm"] == [{"node": "bn/BatchNorm", "momentum": 0.9}]
    assert "Dropout" not in {n["op"] for n in doc["graph"]["nodes"]}
    load_bundle(tmp_path / "b")  # the reader accepts it


def test_load_model_restores_batch_norm_momentum(tmp_path):
    """A trainable bundle's BatchNormalization comes back with its momentum, so fit continued in Python
    moves its statistics as the runtime did."""
    wg.export(_training_mode_model(), tmp_path / "b", trainable=True, verbose=0)
    doc = json.loads((tmp_path / "b" / "model.json").read_text())
    doc["training"]["batchNorm"][0]["momentum"] = 0.75
    (tmp_path / "b" / "model.json").write_text(json.dumps(doc))
    bns = [la for la in wg.load_model(tmp_path / "b").layers if isinstance(la, wg.layers.BatchNormalization)]
    assert [la.momentum for la in bns] == [0.75]


def test_frozen_batch_norm_stays_in_inference_mode(tmp_path):
    """Keras 3: a BatchNormalization with trainable=False normalizes by its moving statistics while training."""
    wg.export(_training_mode_model(frozen_bn=True), tmp_path / "b", trainable=True, verbose=0)
    assert "batchNorm" not in json.loads((tmp_path / "b" / "model.json").read_text())["training"]


def test_training_only_layers_the_runtime_lacks_are_refused(tmp_path):
    model = wg.Sequential([wg.Input((4,)), wg.layers.GaussianNoise(0.1), wg.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(NotImplementedError, match=r"GaussianNoise.*not supported yet"):
        wg.export(model, tmp_path / "b", trainable=True, verbose=0)


def test_dropout_on_a_shared_tensor_is_refused(tmp_path):
    inp = wg.Input((4,))
    h = wg.layers.Dense(4, name="h")(inp)
    out = wg.layers.Dense(2, activation="softmax")(wg.layers.Add()([wg.layers.Dropout(0.5)(h), h]))
    model = wg.Model(inp, out)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    with pytest.raises(NotImplementedError, match="also read by other layers"):
        wg.export(model, tmp_path / "b", trainable=True, verbose=0)
