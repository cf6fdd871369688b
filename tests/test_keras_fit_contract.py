"""fit / evaluate / predict follow Keras 3's contract: callback hooks (order, arguments, logs, params),
log names for several outputs, loss=[None, ...], loss_weights dicts, sample and class weights, resuming
from a callback's epoch. Where practical the same script runs under keras (on JAX) and is compared."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import webgrad as wg


def _keras():
    return pytest.importorskip("keras")


def _data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (np.arange(n) % 3).astype(np.int32), rng.normal(size=(n, 1)).astype(np.float32)


def _recorder(base):
    """A callback class (of ``base``, keras's or webgrad's) recording every hook with its index and log keys."""
    hooks = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
             "on_train_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
             "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end"]

    def make(hook):
        def record(self, *args, **kwargs):
            indexed = "batch" in hook or "epoch" in hook
            index, rest = (args[:1], args[1:]) if indexed else ((), args)
            logs = rest[0] if rest else kwargs.get("logs")
            assert isinstance(logs, dict), f"{hook} got logs={logs!r}"
            self.calls.append((hook, *index, tuple(sorted(logs))))
        return record

    ns = {h: make(h) for h in hooks}
    ns["__init__"] = lambda self: setattr(self, "calls", [])
    return type("Recorder", (base,), ns)


def _classifier(lib):
    inputs = lib.Input((4,))
    model = lib.Model(inputs, lib.layers.Dense(3, activation="softmax")(lib.layers.Dense(5)(inputs)))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _hooks_run(lib):
    x, y, _ = _data()
    model = _classifier(lib)
    rec = _recorder(lib.callbacks.Callback)()
    model.fit(x, y, batch_size=10, epochs=2, verbose=0, validation_data=(x[:12], y[:12]), callbacks=[rec])
    params = dict(rec.params)
    model.evaluate(x, y, batch_size=16, verbose=0, callbacks=[rec])
    model.predict(x, batch_size=16, verbose=0, callbacks=[rec])
    return rec.calls, params


def test_callback_hooks_order_arguments_and_logs_match_keras():
    keras = _keras()
    want, want_params = _hooks_run(keras)
    got, got_params = _hooks_run(wg)
    assert got == want
    assert got_params == want_params == {"verbose": 0, "epochs": 2, "steps": 3}


def test_every_hook_gets_a_logs_dict_even_called_directly():
    # the misleading case of the issue: callbacks written for Keras index logs without a None check
    seen = []

    class Needy(wg.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(len(logs))

        def on_epoch_begin(self, epoch, logs=None):
            seen.append(len(logs.keys()))

    x, y, _ = _data()
    _classifier(wg).fit(x, y, batch_size=12, epochs=1, verbose=0, callbacks=[Needy()])
    assert seen == [0, 0, 0]


def _two_outputs(lib, loss, **compile_kw):
    inputs = lib.Input((4,), name="inp")
    h = lib.layers.Dense(5, name="trunk")(inputs)
    cls = lib.layers.Dense(3, activation="softmax", name="cls")(h)
    reg = lib.layers.Dense(1, name="reg")(h)
    model = lib.Model(inputs, [cls, reg])
    model.compile(optimizer=lib.optimizers.SGD(0.1), loss=loss, **compile_kw)
    return model


@pytest.mark.parametrize("case", [
    dict(loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"}, loss_weights={"cls": 1.0, "reg": 0.5},
         metrics={"cls": ["accuracy"], "reg": ["mae"]}),
    dict(loss=["sparse_categorical_crossentropy", "mse"], metrics=["accuracy", "mae"]),
    dict(loss=[None, "mse"], metrics=[["accuracy"], ["mae"]]),
    dict(loss=["sparse_categorical_crossentropy", None]),
])
def test_multi_output_logs_values_and_evaluate_order_match_keras(case):
    keras = _keras()
    x, y, t = _data()
    kmodel, model = _two_outputs(keras, **case), _two_outputs(wg, **case)
    model.set_weights(kmodel.get_weights())
    kh = kmodel.fit(x, [y, t], batch_size=8, epochs=2, shuffle=False, verbose=0, validation_split=0.25).history
    wh = model.fit(x, [y, t], batch_size=8, epochs=2, shuffle=False, verbose=0, validation_split=0.25).history
    assert sorted(wh) == sorted(kh)
    for key in kh:
        np.testing.assert_allclose(wh[key], kh[key], rtol=2e-4, atol=1e-6, err_msg=key)
    np.testing.assert_allclose(model.evaluate(x, [y, t], verbose=0), kmodel.evaluate(x, [y, t], verbose=0),
                               rtol=2e-4, atol=1e-6)
    for a, b in zip(model.get_weights(), kmodel.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=1e-6)


def test_an_output_without_a_loss_is_not_trained_on():
    x, y, t = _data()
    model = _two_outputs(wg, loss=[None, "mse"])
    before = model.get_layer("cls").get_weights()
    history = model.fit(x, [y, t], epochs=2, verbose=0)
    assert sorted(history.history) == ["loss"]  # one trained output: no per-output loss logs, as in Keras
    for a, b in zip(before, model.get_layer("cls").get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("compile_kw", "match"), [
    (dict(loss=["mse", "mse"], loss_weights={"cls": 1.0, "box": 2.0}),
     r"loss_weights given for unknown outputs \['box'\]; the model's outputs are \['cls', 'reg'\]"),
    (dict(loss=["mse"]), r"loss is a list of 1 for a model with 2 outputs \['cls', 'reg'\]"),
    (dict(loss=[None, None]), r"no output has a loss"),
    (dict(loss="mse", loss_weights=[1.0]), r"loss_weights is a list of 1 for a model with 2 outputs"),
    (dict(loss={"cls": "mse", "bbox": "mse"}), r"loss given for unknown outputs \['bbox'\]"),
])
def test_compile_errors_name_the_outputs(compile_kw, match):
    with pytest.raises(ValueError, match=match):
        _two_outputs(wg, **compile_kw)


def test_sample_weight_and_class_weight_match_keras():
    keras = _keras()
    x, y, _ = _data(30)
    sw = np.linspace(0, 2, 30).astype(np.float32)
    results = []
    for kw in (dict(sample_weight=sw), dict(class_weight={0: 0.2, 1: 1.0, 2: 3.0})):
        kmodel, model = _classifier(keras), _classifier(wg)
        model.set_weights(kmodel.get_weights())
        kh = kmodel.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, **kw).history
        wh = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, **kw).history
        np.testing.assert_allclose(wh["loss"], kh["loss"], rtol=2e-4)
        for a, b in zip(model.get_weights(), kmodel.get_weights(), strict=True):
            np.testing.assert_allclose(a, b, rtol=2e-4, atol=1e-6)
        results.append(wh["loss"])
        np.testing.assert_allclose(model.evaluate(x, y, sample_weight=sw, batch_size=7, verbose=0),
                                   kmodel.evaluate(x, y, sample_weight=sw, batch_size=7, verbose=0), rtol=2e-4)
    assert results[0] != results[1]


def test_class_weight_equals_the_same_sample_weight():
    x, y, _ = _data(30)
    weights = {0: 0.5, 1: 2.0}
    runs = []
    for kw in (dict(class_weight=weights), dict(sample_weight=np.array([weights.get(int(c), 1.0) for c in y]))):
        wg.set_seed(3)
        model = _classifier(wg)
        model.fit(x, y, batch_size=8, epochs=2, verbose=0, **kw)
        runs.append(model.get_weights())
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_weight_arguments_are_checked():
    x, y, _ = _data(10)
    model = _classifier(wg)
    with pytest.raises(ValueError, match="sample_weight has 3 entries for 10 examples"):
        model.fit(x, y, sample_weight=np.ones(3), verbose=0)
    with pytest.raises(ValueError, match="both class_weight and sample_weight"):
        model.fit(x, y, sample_weight=np.ones(10), class_weight={0: 1.0}, verbose=0)
    with pytest.raises(ValueError, match="class_weight is only supported for models with a single output"):
        _two_outputs(wg, loss=["mse", "mse"]).fit(x, [y, y], class_weight={0: 1.0}, verbose=0)


def test_a_callback_can_resume_from_an_epoch():
    """The protocol BackupAndRestore uses: on_train_begin sets model._initial_epoch; fit starts at
    max(initial_epoch, model._initial_epoch)."""
    x, y, _ = _data()

    class Resume(wg.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.model._initial_epoch = 3

    model = _classifier(wg)
    history = model.fit(x, y, epochs=5, verbose=0, callbacks=[Resume()])
    assert history.epoch == [3, 4]
    assert model.fit(x, y, epochs=5, initial_epoch=4, verbose=0, callbacks=[Resume()]).epoch == [4]
    assert model.fit(x, y, epochs=2, initial_epoch=1, verbose=0).epoch == [1]  # no stale resume epoch


def test_stop_training_in_a_batch_hook_stops_at_once():
    x, y, _ = _data()
    batches = []

    class Stop(wg.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batches.append(batch)
            if batch == 1:
                self.model.stop_training = True

    history = _classifier(wg).fit(x, y, batch_size=4, epochs=3, verbose=0, callbacks=[Stop()])
    assert batches == [0, 1] and history.epoch == [0]


def test_validation_freq_and_validation_batch_size_match_keras():
    keras = _keras()
    x, y, _ = _data()
    runs = []
    for lib in (keras, wg):
        model = _classifier(lib)
        rec = _recorder(lib.callbacks.Callback)()
        h = model.fit(x, y, batch_size=8, epochs=4, verbose=0, validation_data=(x, y), validation_freq=2,
                      validation_batch_size=12, callbacks=[rec])
        runs.append(([c for c in rec.calls if c[0] == "on_test_batch_end"], {k: len(v) for k, v in h.history.items()}))
    assert runs[0] == runs[1]
    assert runs[1][1]["val_loss"] == 2 and len(runs[1][0]) == 4  # 2 validations x 2 batches of 12


def test_on_batch_methods_match_keras():
    keras = _keras()
    x, y, _ = _data(16)
    kmodel, model = _classifier(keras), _classifier(wg)
    model.set_weights(kmodel.get_weights())
    for _ in range(2):
        np.testing.assert_allclose(model.train_on_batch(x, y), kmodel.train_on_batch(x, y), rtol=1e-4)
    assert model.test_on_batch(x, y, return_dict=True).keys() == kmodel.test_on_batch(x, y, return_dict=True).keys()
    np.testing.assert_allclose(model.test_on_batch(x, y), kmodel.test_on_batch(x, y), rtol=1e-4)
    np.testing.assert_allclose(model.predict_on_batch(x), kmodel.predict_on_batch(x), rtol=1e-4, atol=1e-6)


def test_dict_outputs_match_keras():
    keras = _keras()
    x, y, t = _data()
    labels = {"zcls": y, "areg": t}
    start, results = None, []
    for lib in (keras, wg):
        inputs = lib.Input((4,))
        h = lib.layers.Dense(5)(inputs)
        outputs = {"zcls": lib.layers.Dense(3, activation="softmax")(h), "areg": lib.layers.Dense(1)(h)}
        model = lib.Model(inputs, outputs)
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss={"zcls": "sparse_categorical_crossentropy",
                                                                "areg": "mse"},
                      loss_weights={"areg": 0.5, "zcls": 1.0}, metrics={"zcls": ["accuracy"]})
        if start is None:
            start = model.get_weights()
        model.set_weights(start)
        history = model.fit(x, labels, batch_size=8, epochs=2, shuffle=False, verbose=0).history
        results.append((history, model.predict(x, verbose=0), model.evaluate(x, labels, verbose=0)))
    (kh, kp, ke), (wh, wp, we) = results
    assert sorted(wh) == sorted(kh) and sorted(wp) == sorted(kp) == ["areg", "zcls"]
    for key in kh:
        np.testing.assert_allclose(wh[key], kh[key], rtol=2e-4, err_msg=key)
    np.testing.assert_allclose(we, ke, rtol=2e-4)  # [loss, zcls_loss, areg_loss, zcls_accuracy]
    for key in kp:
        np.testing.assert_allclose(wp[key], kp[key], rtol=2e-4, atol=1e-6)


def test_epoch_line_shows_the_validation_logs(capsys):
    x, y, _ = _data()
    _classifier(wg).fit(x, y, epochs=1, verbose=2, validation_split=0.25)
    line = capsys.readouterr().out.strip()
    assert line.startswith("Epoch 1/1 - loss:") and "val_loss:" in line and "val_accuracy:" in line


def test_a_loss_function_on_float64_data_matches_keras():
    keras = _keras()
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(20, 4)), rng.normal(size=(20, 1))  # float64, as numpy makes them
    histories, start = [], None
    for lib in (keras, wg):
        def my_loss(y_true, y_pred, ops=lib.ops):
            return ops.mean(ops.square(y_true - y_pred), axis=-1)

        model = lib.Sequential([lib.Input((4,)), lib.layers.Dense(1)])
        model.compile(optimizer=lib.optimizers.SGD(0.05), loss=my_loss, metrics=["mae"])
        start = model.get_weights() if start is None else start
        model.set_weights(start)
        histories.append(model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history)
    assert sorted(histories[0]) == sorted(histories[1]) == ["loss", "mae"]
    for key in histories[0]:
        np.testing.assert_allclose(histories[1][key], histories[0][key], rtol=1e-4, err_msg=key)
