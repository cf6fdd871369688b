"""fit / evaluate / predict at the edges: empty data, splits that leave nothing, odd batch sizes, string
labels, zero epochs. Each case fails before any batch runs (weights untouched) with a message that says
what was given and what is expected, or behaves as Keras does. Every case runs on both backends."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import webgrad as wg
from webgrad import layers

BACKENDS = ["numpy", pytest.param("jax", marks=pytest.mark.skipif(
    importlib.util.find_spec("jax") is None, reason="the jax extra is not installed"))]


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def _compiled(backend, loss="sparse_categorical_crossentropy"):
    model = wg.Sequential([layers.Input((5,)), layers.Dense(8, activation="relu"),
                           layers.Dense(3, activation="softmax", name="probs")])
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"], backend=backend)
    return model


def _data(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 5)).astype(np.float32), (np.arange(n) % 3).astype(np.int32)


class _Calls(wg.callbacks.Callback):
    def __init__(self):
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append("train_begin")

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(epoch)


def _refused(model, call, error, match):
    """``call`` raises ``error`` matching ``match`` and leaves the weights as they were."""
    before = model.get_weights()
    with pytest.raises(error, match=match):
        call()
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


# ---- no examples -----------------------------------------------------------------------------
def test_fit_on_zero_examples_is_an_error_not_loss_zero(backend):
    model, (x, y) = _compiled(backend), _data(0)
    calls = _Calls()
    _refused(model, lambda: model.fit(x, y, verbose=0, callbacks=[calls]), ValueError,
             r"fit: x has 0 examples: there is nothing to train on")
    assert calls.calls == []  # refused before training began


@pytest.mark.parametrize("n,split,train,val", [(1, 0.5, 0, 1), (3, 0.9, 0, 3), (2, 1e-17, 2, 0)])
def test_validation_split_that_leaves_a_part_empty(backend, n, split, val, train):
    model, (x, y) = _compiled(backend), _data(n)
    _refused(model, lambda: model.fit(x, y, validation_split=split, verbose=0), ValueError,
             rf"validation_split={split} of {n} examples leaves {train} for training and {val} for validation")


@pytest.mark.parametrize("split", [1.0, -0.1, "0.2", True])
def test_validation_split_out_of_range_or_not_a_number(split):
    model, (x, y) = _compiled("numpy"), _data(10)
    error = TypeError if isinstance(split, str | bool) else ValueError
    _refused(model, lambda: model.fit(x, y, validation_split=split, verbose=0), error, r"validation_split must be")


def test_validation_split_follows_keras(backend):
    model, (x, y) = _compiled(backend), _data(10)
    seen = []
    model.evaluate = lambda vx, vy, **kw: seen.append(len(vx)) or {"loss": 0.0}  # records the validation size
    model.fit(x, y, validation_split=0.25, epochs=1, verbose=0)
    assert seen == [3]  # floor(10 * 0.75) = 7 train, the last 3 validate


def test_empty_validation_data_is_refused_before_training(backend):
    model, (x, y) = _compiled(backend), _data(6)
    vx, vy = _data(0)
    _refused(model, lambda: model.fit(x, y, validation_data=(vx, vy), verbose=0), ValueError,
             r"fit: validation_data has 0 examples: there is nothing to validate on")
    _refused(model, lambda: model.fit(x, y, validation_data=(vx,), verbose=0), ValueError,
             r"validation_data must be a pair \(x_val, y_val\), got a tuple of length 1")
    _refused(model, lambda: model.fit(x, y, validation_data=(x[:, :4], y), verbose=0), ValueError,
             r"expects shape \(None, 5\)")


def test_evaluate_on_zero_rows_says_there_is_nothing_to_evaluate(backend):
    model, (x, y) = _compiled(backend), _data(0)
    with pytest.raises(ValueError, match=r"evaluate: x has 0 examples: there is nothing to evaluate"):
        model.evaluate(x, y, verbose=0)


def test_predict_on_zero_rows_returns_empty_outputs(backend):
    model = _compiled(backend)
    out = model.predict(np.zeros((0, 5), np.float32))
    assert out.shape == (0, 3) and out.dtype == np.float32
    a, b = wg.Input((4,)), wg.Input((None, 2))
    two = wg.Model([a, b], [layers.Dense(2)(a), layers.Dense(3)(b)])  # the second shape depends on the input
    two.compile(optimizer="sgd", loss="mse", backend=backend)
    outs = two.predict([np.zeros((0, 4), np.float32), np.zeros((0, 7, 2), np.float32)])
    assert [o.shape for o in outs] == [(0, 2), (0, 7, 3)]
    assert two.predict([np.ones((2, 4), np.float32), np.ones((2, 7, 2), np.float32)])[1].shape == (2, 7, 3)


# ---- batch_size and epochs -----------------------------------------------------------------------------
@pytest.mark.parametrize("bad,error,shown", [
    (0, ValueError, "got 0"), (-4, ValueError, "got -4"), (1.5, TypeError, r"got 1\.5 \(float\)"),
    (8.0, TypeError, r"got 8\.0 \(float\)"), (True, TypeError, r"got True \(bool\)"),
    ("32", TypeError, r"got '32' \(str\)"),
])
def test_bad_batch_size_is_refused_everywhere(backend, bad, error, shown):
    model, (x, y) = _compiled(backend), _data(6)
    want = r"batch_size must be a positive integer \(or None for 32\), " + shown
    _refused(model, lambda: model.fit(x, y, batch_size=bad, verbose=0), error, "fit: " + want)
    _refused(model, lambda: model.evaluate(x, y, batch_size=bad, verbose=0), error, "evaluate: " + want)
    _refused(model, lambda: model.predict(x, batch_size=bad), error, "predict: " + want)


def test_batch_size_none_means_32(backend):
    x, y = _data(70)
    runs = []
    for bs in (None, 32):
        wg.layers.clear_session()
        wg.set_seed(7)
        model = _compiled(backend)
        history = model.fit(x, y, batch_size=bs, epochs=2, shuffle=False, verbose=0)
        runs.append((history.history["loss"], model.get_weights(), model.predict(x, batch_size=bs),
                     model.evaluate(x, y, batch_size=bs, verbose=0)))
    (loss_a, w_a, p_a, e_a), (loss_b, w_b, p_b, e_b) = runs
    assert loss_a == loss_b and e_a == e_b
    for a, b in zip(w_a, w_b, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(p_a, p_b)


def test_zero_epochs_returns_an_empty_history(backend):
    model, (x, y) = _compiled(backend), _data(6)
    before = model.get_weights()
    history = model.fit(x, y, epochs=0, verbose=0)
    assert history.history == {} and history.epoch == [] and model.history is history
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kw,error,match", [
    ({"epochs": -1}, ValueError, r"fit: epochs must be an integer >= 0, got -1"),
    ({"epochs": 2.5}, TypeError, r"fit: epochs must be an integer >= 0, got 2\.5 \(float\)"),
    ({"epochs": None}, TypeError, r"fit: epochs must be an integer >= 0, got None"),
    ({"initial_epoch": -2}, ValueError, r"fit: initial_epoch must be an integer >= 0, got -2"),
])
def test_bad_epochs(kw, error, match):
    model, (x, y) = _compiled("numpy"), _data(6)
    _refused(model, lambda: model.fit(x, y, verbose=0, **kw), error, match)


# ---- labels -----------------------------------------------------------------------------------------------
def test_string_labels_with_a_sparse_loss_suggest_a_mapping(backend):
    model, (x, _) = _compiled(backend), _data(4)
    names = np.array(["cat", "dog", "cat", "bird"])
    _refused(model, lambda: model.fit(x, names, verbose=0), TypeError,
             r"labels for output 'probs' must be numbers, got dtype <U4 \(e\.g\. 'cat'\); "
             r"sparse_categorical_crossentropy needs integer class ids.*np\.unique\(y, return_inverse=True\)")
    _refused(model, lambda: model.evaluate(x, ["cat", "dog", "cat", "bird"], verbose=0), TypeError,
             "integer class ids")
    class_names, ids = np.unique(names, return_inverse=True)  # the suggested mapping works as given
    model.fit(x, ids, verbose=0)
    assert list(class_names) == ["bird", "cat", "dog"]


def test_non_numeric_labels_with_other_losses(backend):
    model, (x, _) = _compiled(backend, loss="mse"), _data(2)
    with pytest.raises(TypeError, match=r"labels for output 'probs' must be numbers, got dtype object") as err:
        model.fit(x, np.array([[0, 1, None], [1, 0, 0]], dtype=object), verbose=0)
    assert "class ids" not in str(err.value)


def test_missing_or_scalar_labels(backend):
    model, (x, _) = _compiled(backend), _data(3)
    _refused(model, lambda: model.fit(x, verbose=0), ValueError,
             r"labels missing: got y=None for 3 input examples")
    _refused(model, lambda: model.fit(x, 1, verbose=0), ValueError,
             r"labels must be an array with one entry per example, got the scalar 1")
