"""What fit / evaluate / predict take as data (Keras 3): arrays, dicts, a PyDataset, a generator or
iterable of (x, y[, sample_weight]) batches; steps_per_epoch, validation_steps, steps; sample weights
on both backends."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import webgrad as wg
from webgrad import layers


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int32)


def _model(backend="numpy"):
    wg.set_seed(1)
    model = wg.Sequential([layers.Input((4,)), layers.Dense(6, activation="relu"),
                           layers.Dense(2, activation="softmax")])
    model.compile(optimizer=wg.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  backend=backend)
    return model


class Batches(wg.data_adapters.PyDataset):
    """Batches of 10 rows, in order; counts its epochs."""

    def __init__(self, x, y, sw=None, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.sw, self.epochs_ended = x, y, sw, 0

    def __len__(self):
        return -(-len(self.x) // 10)

    def __getitem__(self, i):
        s = slice(10 * i, 10 * (i + 1))
        return (self.x[s], self.y[s]) if self.sw is None else (self.x[s], self.y[s], self.sw[s])

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_pydataset_trains_like_the_same_arrays():
    x, y = _data()
    a, b = _model(), _model()
    ha = a.fit(x, y, batch_size=10, epochs=2, shuffle=False, verbose=0).history
    data = Batches(x, y, workers=2, use_multiprocessing=True)  # accepted; read serially
    hb = b.fit(data, epochs=2, shuffle=False, verbose=0).history
    assert data.epochs_ended == 2
    np.testing.assert_allclose(hb["loss"], ha["loss"], rtol=1e-6)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert b.evaluate(Batches(x, y), verbose=0) == pytest.approx(b.evaluate(x, y, batch_size=10, verbose=0))
    np.testing.assert_array_equal(b.predict(Batches(x, y)), b.predict(x))


def test_wg_utils_pydataset_is_the_same_class():
    utils = pytest.importorskip("webgrad.utils")
    if not hasattr(utils, "PyDataset"):
        pytest.skip("webgrad.utils has no PyDataset yet")
    assert utils.PyDataset is wg.data_adapters.PyDataset


def test_generator_with_steps_per_epoch_carries_on_across_epochs():
    x, y = _data()
    served = []

    def batches():
        i = 0
        while True:
            served.append(i)
            s = slice(10 * (i % 4), 10 * (i % 4 + 1))
            yield x[s], y[s]
            i += 1

    model = _model()
    history = model.fit(batches(), steps_per_epoch=3, epochs=2, verbose=0)
    assert served == list(range(6)) and history.epoch == [0, 1]
    assert model.evaluate(batches(), steps=2, verbose=0, return_dict=True).keys() == {"loss", "accuracy"}
    assert model.predict((xb for xb, _ in batches()), steps=3).shape == (30, 2)


def test_generator_without_steps_is_one_epoch_then_runs_out_with_a_warning():
    x, y = _data()
    model = _model()
    gen = ((x[i:i + 10], y[i:i + 10]) for i in range(0, 40, 10))
    with pytest.warns(UserWarning, match="gave no batches this epoch"):
        history = model.fit(gen, epochs=3, verbose=0)
    assert history.epoch == [0]


def test_a_list_of_batches_is_read_again_each_epoch_and_takes_sample_weights():
    x, y = _data()
    sw = np.r_[np.ones(20), np.zeros(20)].astype(np.float32)
    batches = [(x[i:i + 10], y[i:i + 10], sw[i:i + 10]) for i in range(0, 40, 10)]
    a, b = _model(), _model()
    a.fit(iter(batches * 2), steps_per_epoch=4, epochs=2, verbose=0)
    b.fit(x, y, sample_weight=sw, batch_size=10, epochs=2, shuffle=False, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(wa, wb, rtol=1e-6)


def test_validation_data_as_pydataset_with_validation_steps():
    x, y = _data()
    seen = []

    class Count(wg.callbacks.Callback):
        def on_test_batch_end(self, batch, logs=None):
            seen.append(batch)

    history = _model().fit(x, y, epochs=2, verbose=0, validation_data=Batches(x, y), validation_steps=2,
                           callbacks=[Count()])
    assert seen == [0, 1, 0, 1] and len(history.history["val_loss"]) == 2


def test_steps_per_epoch_over_arrays_continues_and_starts_over_like_keras():
    keras = pytest.importorskip("keras")
    x, y = _data(40)
    counts = []
    for lib in (keras, wg):
        class Sizes(lib.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                self.batches.append(batch)

        inputs = lib.Input((4,))
        model = lib.Model(inputs, lib.layers.Dense(2, activation="softmax")(inputs))
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        sizes = Sizes()
        sizes.batches = []  # set on the instance: keras's Callback takes no constructor arguments
        model.fit(x, y, batch_size=10, steps_per_epoch=3, epochs=3, verbose=0, callbacks=[sizes])
        counts.append(sizes.batches)
    assert counts[0] == counts[1]  # 4 batches: 3, then 1 (the data ran out), then 3 again


def test_dict_inputs_and_labels_by_name():
    x, y = _data()
    a, b = wg.Input((2,), name="a"), wg.Input((2,), name="b")
    out = layers.Dense(2, activation="softmax", name="out")(layers.Concatenate()([a, b]))
    model = wg.Model([a, b], out)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    feeds = {"b": x[:, 2:], "a": x[:, :2]}
    history = model.fit(feeds, {"out": y}, epochs=1, verbose=0)
    assert "loss" in history.history
    np.testing.assert_array_equal(model.predict(feeds), model.predict([x[:, :2], x[:, 2:]]))


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda m, x, y: m.fit(Batches(x, y), y, verbose=0), ValueError, "y must not be given when x is a PyDataset"),
    (lambda m, x, y: m.fit(iter([(x, y)]), validation_split=0.2, verbose=0), ValueError,
     "validation_split needs array inputs"),
    (lambda m, x, y: m.fit(iter([(x, y)]), class_weight={0: 1.0}, verbose=0), ValueError,
     "class_weight is not supported for a generator"),
    (lambda m, x, y: m.fit(x, y, steps_per_epoch=0, verbose=0), ValueError,
     "steps_per_epoch must be a positive integer or None, got 0"),
    (lambda m, x, y: m.fit(x, y, validation_freq=0, verbose=0), ValueError, "validation_freq must be"),
    (lambda m, x, y: m.fit(iter([(x, y)]), dp={"noise_multiplier": 1.0}, verbose=0), NotImplementedError,
     "with a PyDataset or a generator is not supported yet"),
    (lambda m, x, y: m.evaluate(iter([]), verbose=0), ValueError, "gave no batches"),
])
def test_bad_inputs_are_refused_with_clear_errors(call, error, match):
    x, y = _data(10)
    with pytest.raises(error, match=match):
        call(_model(), x, y)


def test_sample_weight_on_jax_matches_numpy():
    pytest.importorskip("jax")
    x, y = _data()
    sw = np.linspace(0, 2, 40).astype(np.float32)
    runs = {}
    for backend in ("numpy", "jax"):
        model = _model(backend)
        h = model.fit(x, y, sample_weight=sw, batch_size=16, epochs=2, shuffle=False, verbose=0,
                      validation_data=(x, y, sw)).history
        runs[backend] = (h, model.get_weights(), model.evaluate(x, y, sample_weight=sw, verbose=0))
    for key in runs["numpy"][0]:
        np.testing.assert_allclose(runs["jax"][0][key], runs["numpy"][0][key], rtol=1e-4, err_msg=key)
    for a, b in zip(runs["jax"][1], runs["numpy"][1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(runs["jax"][2], runs["numpy"][2], rtol=1e-4)


def test_multi_output_per_output_losses_on_jax_match_numpy():
    pytest.importorskip("jax")
    x, y = _data()
    logs = {}
    for backend in ("numpy", "jax"):
        wg.set_seed(2)
        inputs = wg.Input((4,))
        h = layers.Dense(5)(inputs)
        model = wg.Model(inputs, [layers.Dense(2, activation="softmax", name="cls")(h), layers.Dense(1, name="reg")(h)])
        model.compile(optimizer=wg.optimizers.SGD(0.1), loss=["sparse_categorical_crossentropy", "mse"],
                      loss_weights={"reg": 0.5}, metrics={"cls": "accuracy"}, backend=backend)
        logs[backend] = model.fit(x, [y, x[:, :1]], batch_size=16, epochs=2, shuffle=False, verbose=0).history
    assert sorted(logs["jax"]) == ["cls_accuracy", "cls_loss", "loss", "reg_loss"]
    for key in logs["numpy"]:
        np.testing.assert_allclose(logs["jax"][key], logs["numpy"][key], rtol=1e-4, err_msg=key)


def test_regularization_losses_are_trained_on_both_backends():
    pytest.importorskip("jax")
    x, y = _data()
    runs = {}
    for backend in ("numpy", "jax"):
        wg.set_seed(4)
        model = wg.Sequential([layers.Input((4,)), layers.Dense(2, activation="softmax",
                                                                kernel_regularizer=wg.regularizers.L2(0.5))])
        model.compile(optimizer=wg.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", backend=backend)
        penalty = float(model.losses[0].numpy())
        assert penalty == pytest.approx(0.5 * float(np.sum(model.get_weights()[0] ** 2)), rel=1e-5)
        p = model.predict(x)
        cross_entropy = float(np.mean(-np.log(p[np.arange(len(y)), y])))
        assert model.evaluate(x, y, verbose=0) == pytest.approx(cross_entropy + penalty, rel=1e-5)
        runs[backend] = (model.fit(x, y, batch_size=20, epochs=2, shuffle=False, verbose=0).history["loss"],
                         model.get_weights())
    np.testing.assert_allclose(runs["jax"][0], runs["numpy"][0], rtol=1e-4)
    for a, b in zip(runs["jax"][1], runs["numpy"][1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_predict_of_dict_outputs_keeps_the_names_even_for_zero_rows():
    inputs = wg.Input((4,))
    model = wg.Model(inputs, {"b": layers.Dense(2)(inputs), "a": layers.Dense(1)(inputs)})
    for n in (0, 3):
        out = model.predict(np.zeros((n, 4), np.float32))
        assert {k: v.shape for k, v in out.items()} == {"a": (n, 1), "b": (n, 2)}


@pytest.mark.parametrize("backend", ["numpy", "jax"])
def test_a_model_without_input_builds_from_a_generators_first_batch(backend):
    if backend == "jax":
        pytest.importorskip("jax")
    x, y = _data()
    model = wg.Sequential([layers.Dense(2, activation="softmax")])  # no Input: built from the data
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", backend=backend)
    seen = []

    class Count(wg.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(batch)

    model.fit(((x[i:i + 10], y[i:i + 10]) for i in range(0, 40, 10)), epochs=1, verbose=0, callbacks=[Count()])
    assert seen == [0, 1, 2, 3]  # the batch read to build the model is still trained on
    assert model.predict(iter([x[:5], x[5:]])).shape == (40, 2)
