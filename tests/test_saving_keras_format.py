"""model.save / wg.models.load_model (.keras files), save_weights / load_weights, written from Keras 3's
documented behaviour and compared with the ``keras`` package where it is installed."""

from __future__ import annotations

import io
import json
import os
import zipfile

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import webgrad as wg


def _data(n=48, d=5, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int32) + (x[:, 1] > 1).astype(np.int32) * (classes - 2)


def _mlp(optimizer=None):
    model = wg.Sequential([wg.Input((5,)), wg.layers.Dense(8, activation="relu"),
                           wg.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer or wg.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _weights_equal(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def _zip_member(path, name):
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def _rewrite_member(path, name, data):
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members[name] = data
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in members.items():
            zf.writestr(n, d)


# ---- round trips -----------------------------------------------------------------------------------------
def test_sequential_round_trip_restores_architecture_weights_and_compile_state(tmp_path):
    x, y = _data()
    model = _mlp(wg.optimizers.SGD(0.05, momentum=0.9))
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = wg.models.load_model(path)
    assert type(loaded) is wg.Sequential
    assert [type(la).__name__ for la in loaded.layers] == [type(la).__name__ for la in model.layers]
    assert [la.name for la in loaded.layers] == [la.name for la in model.layers]
    assert _weights_equal(loaded.get_weights(), model.get_weights())
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    # compile state: the optimizer with its hyper-parameters and step count, the loss and the metrics
    assert type(loaded.optimizer) is wg.optimizers.SGD
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert loaded.optimizer.iterations == model.optimizer.iterations == 6
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == model.evaluate(x, y, verbose=0, return_dict=True)
    saved = model.optimizer.state_arrays(model.trainable_weights)
    restored = loaded.optimizer.state_arrays(loaded.trainable_weights)
    assert all(np.array_equal(a["velocity"], b["velocity"]) and a["velocity"].any() for a, b in zip(saved, restored,
                                                                                                     strict=True))


def test_train_2_save_load_train_1_equals_train_3_exactly(tmp_path):
    x, y = _data()
    wg.set_seed(7)
    reference = _mlp()
    reference.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)

    wg.set_seed(7)
    model = _mlp()
    model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    model.save(tmp_path / "m.keras")
    resumed = wg.models.load_model(tmp_path / "m.keras")
    resumed.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    assert _weights_equal(resumed.get_weights(), reference.get_weights())
    assert resumed.optimizer.iterations == reference.optimizer.iterations

    # the check can fail: the same weights with a fresh optimizer (no Adam moments, step 0) end elsewhere
    fresh = wg.models.load_model(tmp_path / "m.keras", compile=False)
    assert fresh.optimizer is None
    fresh.compile(optimizer=wg.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    fresh.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    assert not _weights_equal(fresh.get_weights(), reference.get_weights())


def test_functional_multi_input_round_trip(tmp_path):
    a, b = wg.Input((4,), name="a"), wg.Input((3,), name="b")
    h = wg.layers.Concatenate()([wg.layers.Dense(6, activation="relu")(a), b])
    model = wg.Model([a, b], wg.layers.Dense(2, activation="softmax")(h), name="two_inputs")
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    xa = np.random.default_rng(1).normal(size=(10, 4)).astype(np.float32)
    xb = np.random.default_rng(2).normal(size=(10, 3)).astype(np.float32)
    model.fit([xa, xb], np.arange(10) % 2, epochs=1, verbose=0)
    model.save(tmp_path / "f.keras")
    loaded = wg.saving.load_model(tmp_path / "f.keras")
    assert loaded.name == "two_inputs" and len(loaded.inputs) == 2
    np.testing.assert_array_equal(loaded.predict([xa, xb], verbose=0), model.predict([xa, xb], verbose=0))
    assert type(loaded.optimizer).__name__ == "RMSprop" and loaded.optimizer.iterations == 1


@wg.saving.register_keras_serializable(package="SavingTest")
class ScaledBlock(wg.layers.Layer):
    """A custom layer with sub-layers assigned as attributes and a weight of its own."""

    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.inner = wg.layers.Dense(units, activation="relu")
        self.head = wg.layers.Dense(units)

    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=(self.units,), initializer="ones")

    def call(self, x):
        return self.head(self.inner(x)) * self.scale

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@wg.saving.register_keras_serializable(package="SavingTest")
class TinyNet(wg.Model):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.block = ScaledBlock(units)
        self.out = wg.layers.Dense(2, activation="softmax")

    def call(self, x, training=False):
        return self.out(self.block(x))

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_subclassed_model_with_registered_custom_layer_round_trips(tmp_path):
    x, y = _data(d=5)
    model = TinyNet(6)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y % 2, epochs=2, batch_size=16, verbose=0)
    model.save(tmp_path / "s.keras")
    config = json.loads(_zip_member(tmp_path / "s.keras", "config.json"))
    assert config["registered_name"] == "SavingTest>TinyNet" and config["config"]["units"] == 6
    loaded = wg.models.load_model(tmp_path / "s.keras")
    assert type(loaded) is TinyNet and loaded.units == 6
    assert len(loaded.weights) == len(model.weights) == 7
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.optimizer.iterations == model.optimizer.iterations


def test_custom_objects_resolve_a_class_unknown_by_name(tmp_path):
    model = wg.Sequential([wg.Input((5,)), ScaledBlock(3, name="blk")])
    model.save(tmp_path / "c.keras")
    config = json.loads(_zip_member(tmp_path / "c.keras", "config.json"))
    for spec in config["config"]["layers"]:
        if spec["class_name"] == "ScaledBlock":
            spec["class_name"] = "RenamedBlock"
            spec["registered_name"] = None
    _rewrite_member(tmp_path / "c.keras", "config.json", json.dumps(config).encode())
    with pytest.raises(ValueError, match="RenamedBlock") as err:
        wg.models.load_model(tmp_path / "c.keras")
    assert "register_keras_serializable" in str(err.value) and "custom_objects" in str(err.value)
    loaded = wg.models.load_model(tmp_path / "c.keras", custom_objects={"RenamedBlock": ScaledBlock})
    x = _data()[0]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_the_file_layout_matches_keras(tmp_path):
    model = _mlp()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert sorted(zf.namelist()) == ["config.json", "metadata.json", "model.weights.npz"]
        config = json.loads(zf.read("config.json"))
        metadata = json.loads(zf.read("metadata.json"))
        weights = np.load(io.BytesIO(zf.read("model.weights.npz")), allow_pickle=False)
        keys = set(weights.files)
    assert metadata["format_version"] == wg.saving.FORMAT_VERSION and metadata["webgrad_version"]
    assert {"layers/dense/vars/0", "layers/dense/vars/1", "layers/dense_1/vars/0", "layers/dense_1/vars/1",
            "optimizer/iterations", "optimizer/vars/0/m"} <= keys
    assert config["compile_config"]["loss"] == "sparse_categorical_crossentropy"
    assert config["compile_config"]["metrics"] == ["accuracy"]

    keras = pytest.importorskip("keras")
    pytest.importorskip("h5py")
    kmodel = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"),
                               keras.layers.Dense(3, activation="softmax")])
    kmodel.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    kmodel.save(tmp_path / "k.keras")
    kconfig = json.loads(_zip_member(tmp_path / "k.keras", "config.json"))
    assert sorted(config) == sorted(kconfig)  # module, class_name, config, registered_name, build/compile_config
    assert {"optimizer", "loss", "metrics", "loss_weights"} <= set(kconfig["compile_config"])
    assert set(config["compile_config"]) == {"optimizer", "loss", "metrics", "loss_weights"}
    # Keras's weight paths for the layers are the same as webgrad's
    import h5py

    with zipfile.ZipFile(tmp_path / "k.keras") as zf, h5py.File(io.BytesIO(zf.read("model.weights.h5"))) as f:
        layer_keys = set()
        f.visititems(lambda name, obj: layer_keys.add(name) if isinstance(obj, h5py.Dataset) else None)
    assert {k for k in layer_keys if k.startswith("layers/")} == {k for k in keys if k.startswith("layers/")}
    # and webgrad's compile_from_config reads Keras's compile config (Keras-only keys at their defaults)
    fresh = _mlp()
    fresh.compile_from_config(kconfig["compile_config"])
    assert type(fresh.optimizer) is wg.optimizers.Adam and float(fresh.optimizer.learning_rate) == pytest.approx(1e-3)


def test_load_model_on_a_bundle_directory_loads_the_bundle(tmp_path):
    model = _mlp()
    wg.export(model, tmp_path / "bundle", verbose=0)
    loaded = wg.models.load_model(tmp_path / "bundle")
    x = _data()[0]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_clone_model_and_model_from_config():
    model = _mlp()
    clone = wg.models.clone_model(model)
    assert clone is not model and [type(la) for la in clone.layers] == [type(la) for la in model.layers]
    assert not _weights_equal(clone.get_weights(), model.get_weights())  # fresh weights, as Keras
    rebuilt = wg.models.model_from_config({"class_name": "Sequential", "config": model.get_config()})
    assert rebuilt.count_params() == model.count_params()


# ---- weights files ---------------------------------------------------------------------------------------
def test_save_weights_load_weights_with_the_keras_file_name(tmp_path):
    x, y = _data()
    model = _mlp()
    model.fit(x, y, epochs=1, verbose=0)
    path = str(tmp_path / "ckpt.weights.h5")  # a Keras script's name, unchanged
    model.save_weights(path)
    with np.load(path, allow_pickle=False) as npz:  # documented: a NumPy .npz archive under Keras's name
        assert "layers/dense/vars/0" in npz.files and "optimizer/iterations" in npz.files
    other = _mlp()  # different layer names (dense_2, dense_3): entries are matched by class and position
    assert [la.name for la in other.layers] != [la.name for la in model.layers]
    other.load_weights(path)
    assert _weights_equal(other.get_weights(), model.get_weights())
    assert other.optimizer.iterations == model.optimizer.iterations
    # load_weights also reads a whole-model .keras file
    model.save(tmp_path / "m.keras")
    third = _mlp()
    third.load_weights(tmp_path / "m.keras")
    assert _weights_equal(third.get_weights(), model.get_weights())


def test_load_weights_shape_mismatch_names_the_layer_and_shapes(tmp_path):
    _mlp().save_weights(tmp_path / "a.weights.h5")
    wider = wg.Sequential([wg.Input((5,)), wg.layers.Dense(9, activation="relu", name="hidden"),
                           wg.layers.Dense(3, activation="softmax", name="probs")])
    before = wider.get_weights()
    with pytest.raises(ValueError) as err:
        wider.load_weights(tmp_path / "a.weights.h5")
    message = str(err.value)
    assert "'hidden'" in message and "(5, 9)" in message and "(5, 8)" in message
    assert _weights_equal(wider.get_weights(), before)  # nothing was set
    with pytest.warns(UserWarning, match="skip_mismatch"):
        wider.load_weights(tmp_path / "a.weights.h5", skip_mismatch=True)
    saved = np.load(tmp_path / "a.weights.h5")
    np.testing.assert_array_equal(wider.get_layer("probs").get_weights()[1], saved["layers/dense_1/vars/1"])
    np.testing.assert_array_equal(wider.get_layer("hidden").get_weights()[0], before[0])


def test_load_weights_into_an_unbuilt_model_says_to_build_it(tmp_path):
    _mlp().save_weights(tmp_path / "a.weights.h5")
    lazy = wg.Sequential([wg.layers.Dense(8), wg.layers.Dense(3)])
    with pytest.raises(ValueError, match="build"):
        lazy.load_weights(tmp_path / "a.weights.h5")


# ---- errors ---------------------------------------------------------------------------------------------
def test_wrong_extensions_are_refused_as_in_keras(tmp_path):
    model = _mlp()
    with pytest.raises(ValueError, match=r"\.keras"):
        model.save(tmp_path / "m.zip")
    with pytest.raises(NotImplementedError, match="HDF5"):
        model.save(tmp_path / "m.h5")
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        model.save_weights(tmp_path / "m.npz")
    with pytest.raises(ValueError, match="File format not supported"):
        model.load_weights(tmp_path / "m.npz")
    with pytest.raises(ValueError, match="File format not supported"):
        wg.saving.load_model(tmp_path / "m.h5")
    assert os.listdir(tmp_path) == []


def test_overwrite_false_refuses_an_existing_file(tmp_path):
    model = _mlp()
    model.save(tmp_path / "m.keras")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.keras", overwrite=False)


def test_corrupt_and_truncated_files_raise_clear_errors(tmp_path):
    model = _mlp()
    model.save(tmp_path / "m.keras")
    data = (tmp_path / "m.keras").read_bytes()
    (tmp_path / "t.keras").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        wg.models.load_model(tmp_path / "t.keras")
    (tmp_path / "n.keras").write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match=r"not a valid \.keras file"):
        wg.models.load_model(tmp_path / "n.keras")
    model.save_weights(tmp_path / "w.weights.h5")
    w = (tmp_path / "w.weights.h5").read_bytes()
    (tmp_path / "w.weights.h5").write_bytes(w[: len(w) - 40])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        model.load_weights(tmp_path / "w.weights.h5")


def test_a_file_from_a_newer_format_version_is_refused(tmp_path):
    _mlp().save(tmp_path / "m.keras")
    metadata = json.loads(_zip_member(tmp_path / "m.keras", "metadata.json"))
    metadata["format_version"] = wg.saving.FORMAT_VERSION + 1
    _rewrite_member(tmp_path / "m.keras", "metadata.json", json.dumps(metadata).encode())
    with pytest.raises(ValueError, match="newer"):
        wg.models.load_model(tmp_path / "m.keras")


def test_files_written_by_keras_point_to_from_keras(tmp_path):
    (tmp_path / "k.weights.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
    with pytest.raises(NotImplementedError, match="HDF5"):
        _mlp().load_weights(tmp_path / "k.weights.h5")
    with zipfile.ZipFile(tmp_path / "k.keras", "w") as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.15.1", "date_saved": "x"}))
        zf.writestr("config.json", "{}")
        zf.writestr("model.weights.h5", b"\x89HDF")
    with pytest.raises(NotImplementedError, match="from_keras"):
        wg.models.load_model(tmp_path / "k.keras")


def test_a_failed_save_leaves_the_previous_file_and_no_temporary_file(tmp_path, monkeypatch):
    model = _mlp()
    path = tmp_path / "m.keras"
    model.save(path)
    before = path.read_bytes()
    import webgrad.saving.files as saving_files

    def half_then_fail(target, data):
        with open(target, "wb") as f:
            f.write(data[: len(data) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(saving_files, "write_durably", half_then_fail)
    model.fit(*_data(), epochs=1, verbose=0)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.keras"]
    with pytest.raises(OSError, match="disk full"):
        model.save_weights(tmp_path / "new.weights.h5")
    assert os.listdir(tmp_path) == ["m.keras"]


def test_a_save_that_cannot_serialize_writes_nothing(tmp_path, monkeypatch):
    model = _mlp()
    monkeypatch.setattr(type(model), "get_config", lambda self: {"bad": object()})
    with pytest.raises(TypeError):
        model.save(tmp_path / "m.keras")
    assert os.listdir(tmp_path) == []


def test_jax_backend_round_trip_and_load_weights_into_a_used_model(tmp_path):
    pytest.importorskip("jax")
    x, y = _data()
    model = wg.Sequential([wg.Input((5,)), wg.layers.Dense(8, activation="relu"),
                           wg.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=wg.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", backend="jax")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    model.save_weights(tmp_path / "j.weights.h5")
    other = wg.Sequential([wg.Input((5,)), wg.layers.Dense(8, activation="relu"),
                           wg.layers.Dense(3, activation="softmax")])
    other.compile(optimizer=wg.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", backend="jax")
    before = other.predict(x, verbose=0)  # the jax backend now holds its own copy of the weights
    other.load_weights(tmp_path / "j.weights.h5")
    after = other.predict(x, verbose=0)
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, model.predict(x, verbose=0), rtol=1e-6, atol=1e-7)
    # and training continues from the restored Adam moments on both
    model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    other.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_allclose(other.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    assert other.optimizer.iterations == model.optimizer.iterations == 9


@wg.saving.register_keras_serializable(package="SavingTest")
def halved_mse(y_true, y_pred):
    return wg.losses.get("mse").call(y_true, y_pred) * 0.5


def plain_mse(y_true, y_pred):
    return wg.losses.get("mse").call(y_true, y_pred)


def test_compile_state_with_loss_and_metric_objects_schedules_and_functions(tmp_path):
    x, y = _data()
    model = wg.Sequential([wg.Input((5,)), wg.layers.Dense(6), wg.layers.BatchNormalization(), wg.layers.Dense(3)])
    model.compile(optimizer=wg.optimizers.Adam(wg.schedules.ExponentialDecay(0.01, 5, 0.5)),
                  loss=wg.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[wg.metrics.SparseCategoricalAccuracy(name="acc"), "accuracy"])
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    model.save(tmp_path / "a.keras")
    loaded = wg.models.load_model(tmp_path / "a.keras")
    assert isinstance(loaded.optimizer._learning_rate, wg.schedules.ExponentialDecay)
    assert float(loaded.optimizer.learning_rate) == float(model.optimizer.learning_rate) < 0.01  # decayed
    assert loaded.get_compile_config() == model.get_compile_config()
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == model.evaluate(x, y, verbose=0, return_dict=True)

    # a registered loss function comes back by its registered name; a plain one through custom_objects
    for loss, custom in ((halved_mse, None), (plain_mse, {"plain_mse": plain_mse})):
        m = wg.Sequential([wg.Input((5,)), wg.layers.Dense(1)])
        m.compile(optimizer="sgd", loss=loss)
        m.save(tmp_path / "f.keras")
        if custom:
            with pytest.raises(ValueError, match="plain_mse"):
                wg.models.load_model(tmp_path / "f.keras")
        assert wg.models.load_model(tmp_path / "f.keras", custom_objects=custom)._loss_spec is loss


def test_multi_output_dict_losses_weights_and_metrics_round_trip(tmp_path):
    x, y = _data()
    a = wg.Input((5,), name="inp")
    h = wg.layers.Dense(5, activation="relu")(a)
    model = wg.Model(a, [wg.layers.Dense(3, activation="softmax", name="cls")(h), wg.layers.Dense(1, name="reg")(h)])
    model.compile(optimizer="adam", loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
                  loss_weights={"cls": 1.0, "reg": 0.5}, metrics={"cls": ["accuracy"]})
    labels = {"cls": y, "reg": x[:, :1]}
    model.fit(x, labels, epochs=1, verbose=0)
    model.save(tmp_path / "d.keras")
    loaded = wg.models.load_model(tmp_path / "d.keras")
    assert loaded.get_compile_config() == model.get_compile_config()
    assert loaded.evaluate(x, labels, verbose=0, return_dict=True) == model.evaluate(x, labels, verbose=0,
                                                                                      return_dict=True)
