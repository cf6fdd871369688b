"""Keras 3 models into webgrad (``wg.models.from_keras``, ``wg.export(keras_model)``): models built and
trained with the ``keras`` package on JAX give bundles whose outputs match ``keras_model.predict``
within 1e-5 on the Python runner and 1e-4 on the npm runtime's js and wasm backends."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

import webgrad as wg  # noqa: E402
from webgrad.exporter import load_bundle  # noqa: E402
from webgrad.keras_import import KerasImportError, from_keras, is_keras_model  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RNG = np.random.default_rng(0)


def _trained(model: keras.Model, x: np.ndarray, classes: int) -> keras.Model:
    """One short epoch with Keras's own fit, so weights and BatchNormalization statistics are trained."""
    y = RNG.integers(0, classes, len(x))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    return model


def _cnn() -> tuple[keras.Model, np.ndarray]:
    keras.utils.set_random_seed(1)
    model = keras.Sequential([
        keras.Input((12, 12, 3)),
        keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(8, 3, strides=2, padding="same"),
        keras.layers.Conv2DTranspose(6, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2DTranspose(6, 2, padding="valid"),
        keras.layers.AveragePooling2D(2, padding="same"),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(5, activation="softmax"),
    ])
    x = RNG.normal(size=(48, 12, 12, 3)).astype("float32")
    return _trained(model, x, 5), x[:6]


def _mobilenet_style() -> tuple[keras.Model, np.ndarray]:
    keras.utils.set_random_seed(2)
    inputs = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same", use_bias=False)(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.ReLU(6.0)(x)
    y = keras.layers.Conv2D(16, 1, use_bias=False)(x)
    y = keras.layers.BatchNormalization()(y)
    y = keras.layers.ReLU(6.0)(y)
    y = keras.layers.DepthwiseConv2D(3, padding="same", use_bias=False)(y)
    y = keras.layers.BatchNormalization()(y)
    y = keras.layers.ReLU(6.0)(y)
    y = keras.layers.Conv2D(8, 1, use_bias=False)(y)
    y = keras.layers.BatchNormalization()(y)
    x = keras.layers.Add()([x, y])
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(4, activation="softmax")(x)
    x = RNG.normal(size=(48, 16, 16, 3)).astype("float32")
    return _trained(keras.Model(inputs, outputs), x, 4), x[:5]


def _text() -> tuple[keras.Model, np.ndarray]:
    keras.utils.set_random_seed(3)
    inputs = keras.Input((12,), dtype="int32")
    x = keras.layers.Embedding(40, 16, mask_zero=True)(inputs)  # padding masked in attention and pooling
    attended = keras.layers.MultiHeadAttention(num_heads=2, key_dim=8)(x, x)
    x = keras.layers.LayerNormalization()(x + attended)
    x = keras.layers.Conv1D(8, 3, activation="gelu")(x)
    pooled = keras.layers.concatenate([keras.layers.GlobalAveragePooling1D()(x), keras.layers.GlobalMaxPooling1D()(x)])
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.LeakyReLU(0.1)(pooled))
    x = RNG.integers(1, 40, (48, 12)).astype("int32")
    x[:, 8:] = 0
    x[::3, 5:] = 0
    return _trained(keras.Model(inputs, outputs), x, 2), x[:4]


@keras.saving.register_keras_serializable(package="webgrad_test")
class ResidualBlock(keras.layers.Layer):
    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.inner = keras.layers.Dense(units, activation="relu")
        self.outer = keras.layers.Dense(units)
        self.norm = keras.layers.LayerNormalization()

    def call(self, x):
        return self.norm(x + self.outer(self.inner(x)))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="webgrad_test")
class Classifier(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.proj = keras.layers.Dense(16)
        self.block = ResidualBlock(16)
        self.head = keras.layers.Dense(3)

    def call(self, x):
        h = self.block(self.proj(x))
        return keras.ops.softmax(self.head(keras.ops.mean(h, axis=1)))


def _subclassed() -> tuple[keras.Model, np.ndarray]:
    keras.utils.set_random_seed(4)
    model = Classifier()
    x = RNG.normal(size=(48, 7, 5)).astype("float32")
    model(x[:2])
    return _trained(model, x, 3), x[:4]


MODELS = {"cnn": _cnn, "mobilenet_style": _mobilenet_style, "text_attention": _text, "subclassed": _subclassed}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, np.ndarray, np.ndarray]]:
    """Each model exported with ``wg.export(keras_model, ...)``: bundle, input, Keras's prediction."""
    root = tmp_path_factory.mktemp("keras_bundles")
    out = {}
    for name, make in MODELS.items():
        model, x = make()
        wg.export(model, root / name, verbose=0)
        out[name] = (root / name, x, model.predict(x, verbose=0))
    return out


@pytest.mark.parametrize("name", sorted(MODELS))
def test_bundle_matches_keras_predict_on_the_python_runner(exported, name: str) -> None:
    path, x, want = exported[name]
    np.testing.assert_allclose(load_bundle(path).predict(x), want, rtol=0, atol=1e-5)


NODE_PREDICT = """
import { loadModel } from %s;
const cases = JSON.parse(await (await import('node:fs/promises')).readFile(process.argv[2], 'utf8'));
const out = {};
for (const [name, c] of Object.entries(cases)) {
  for (const backend of ['js', 'wasm']) {
    const model = await loadModel(c.path, { backend });
    const data = c.int ? Int32Array.from(c.x) : Float32Array.from(c.x);
    const y = await model.predict({ data, shape: c.shape });
    out[`${name}/${backend}`] = Array.from(await y.data());
    model.dispose();
  }
}
console.log(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js 20")
def test_bundle_matches_keras_predict_on_js_and_wasm(exported, tmp_path: Path) -> None:
    cases = {name: {"path": str(path), "x": x.ravel().tolist(), "shape": list(x.shape), "int": x.dtype.kind == "i"}
             for name, (path, x, _) in exported.items()}
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    script = tmp_path / "predict.mjs"
    script.write_text(NODE_PREDICT % json.dumps((ROOT / "js_runtime" / "src" / "index.js").as_uri()))
    proc = subprocess.run(["node", str(script), str(tmp_path / "cases.json")], capture_output=True, text=True,
                          timeout=300, check=True)
    got = json.loads(proc.stdout)
    for name, (_, _, want) in exported.items():
        for backend in ("js", "wasm"):
            y = np.asarray(got[f"{name}/{backend}"], np.float32).reshape(want.shape)
            np.testing.assert_allclose(y, want, rtol=0, atol=1e-4, err_msg=f"{name} on {backend}")


def test_a_keras_file_exports_the_same(tmp_path: Path) -> None:
    model, x = _subclassed()
    model.save(tmp_path / "m.keras")
    wg.export(tmp_path / "m.keras", tmp_path / "b", verbose=0)
    np.testing.assert_allclose(load_bundle(tmp_path / "b").predict(x), model.predict(x, verbose=0), atol=1e-5)
    again = wg.models.from_keras(str(tmp_path / "m.keras"))
    np.testing.assert_allclose(again.predict(x), model.predict(x, verbose=0), atol=1e-5)


def test_imported_model_keeps_names_and_trainability_and_fine_tunes() -> None:
    model, x = _mobilenet_style()
    imported = from_keras(model)
    names = [w.name.split("/", 1)[1] for w in imported.weights]
    assert names == [v.path for v in model.trainable_variables + model.non_trainable_variables]
    assert len(imported.trainable_weights) == len(model.trainable_variables)
    imported.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    y = RNG.integers(0, 4, len(x))
    before = imported.evaluate(x, y, verbose=0)
    imported.fit(x, y, epochs=15, batch_size=len(x), verbose=0)
    assert imported.evaluate(x, y, verbose=0) < before


def test_selections_comparisons_and_rounding_in_a_custom_layer() -> None:
    class Piecewise(keras.layers.Layer):
        def call(self, x):
            big = keras.ops.logical_and(x > 0.5, keras.ops.abs(x) < 2.0)
            rounded = keras.ops.sign(x) + keras.ops.floor(x) - keras.ops.ceil(x)
            return keras.ops.where(big, keras.ops.abs(x) * 2, rounded)

    inputs = keras.Input((5,))
    model = keras.Model(inputs, Piecewise()(inputs))
    x = RNG.normal(size=(6, 5)).astype("float32") * 2
    np.testing.assert_allclose(from_keras(model).predict(x), model.predict(x, verbose=0), atol=1e-6)


def test_a_primitive_without_mapping_is_named() -> None:
    inputs = keras.Input((6,))
    outputs = keras.layers.Lambda(lambda t: keras.ops.cumsum(t, axis=-1))(inputs)
    with pytest.raises(NotImplementedError, match=r"cumsum.*not supported yet"):
        from_keras(keras.Model(inputs, outputs))


def test_a_keras_file_whose_custom_class_is_unknown_says_how_to_load_it(tmp_path: Path, monkeypatch) -> None:
    model, _ = _subclassed()
    model.save(tmp_path / "m.keras")

    def forgetful(*args, **kwargs):  # as Keras does in a process that never imported the class
        raise TypeError("Could not locate class 'Classifier'")

    monkeypatch.setattr(keras.saving, "load_model", forgetful)
    with pytest.raises(KerasImportError, match=r"import the module that defines them"):
        from_keras(tmp_path / "m.keras")


def test_bad_sources_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"keras\.Model or a path"):
        from_keras(object())
    with pytest.raises(FileNotFoundError, match="no such Keras file"):
        from_keras(tmp_path / "missing.keras")
    (tmp_path / "m.h5").write_bytes(b"")
    with pytest.raises(KerasImportError, match=r"'\.keras' file"):
        from_keras(tmp_path / "m.h5")
    never_called = Classifier()
    with pytest.raises(KerasImportError, match="input_shape"):
        from_keras(never_called)
    x = RNG.normal(size=(2, 7, 5)).astype("float32")
    imported = from_keras(never_called, input_shape=(7, 5))
    np.testing.assert_allclose(imported.predict(x), never_called.predict(x, verbose=0), atol=1e-5)


def test_is_keras_model_does_not_mistake_webgrad_models() -> None:
    assert is_keras_model(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))
    assert not is_keras_model(wg.Sequential([wg.Input((2,)), wg.layers.Dense(1)]))


def test_cli_exports_keras_files_written_by_keras_and_by_webgrad(tmp_path: Path) -> None:
    import sys

    keras_model, x = _cnn()
    keras_model.save(tmp_path / "keras.keras")
    wg.set_seed(0)
    ours = wg.Sequential([wg.Input((12, 12, 3)), wg.layers.Flatten(), wg.layers.Dense(3, activation="softmax")])
    ours.save(tmp_path / "webgrad.keras")
    for name, want in (("keras", keras_model.predict(x, verbose=0)), ("webgrad", ours.predict(x))):
        subprocess.run([sys.executable, "-m", "webgrad.cli", "export", str(tmp_path / f"{name}.keras"),
                        str(tmp_path / name)], check=True, capture_output=True, timeout=300,
                       env={**os.environ, "KERAS_BACKEND": "jax"})
        np.testing.assert_allclose(load_bundle(tmp_path / name).predict(x), want, atol=1e-5, err_msg=name)
