"""Callbacks against Keras 3: the same hooks called with the same logs on ``keras.callbacks`` and
``wg.callbacks`` give the same files, file names, choices and learning rates; and in ``fit``."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import math
from types import SimpleNamespace

import numpy as np
import pytest

import webgrad as wg

keras = pytest.importorskip("keras")

EPOCH_LOGS = [
    {"loss": 1.0, "accuracy": 0.5, "val_loss": 1.2, "val_accuracy": 0.4},
    {"loss": 0.8, "accuracy": 0.6, "val_loss": 1.1, "val_accuracy": 0.5},
    {"loss": 0.7, "accuracy": 0.7, "val_loss": 1.15, "val_accuracy": 0.55},
    {"loss": 0.6, "accuracy": 0.75, "val_loss": 1.1, "val_accuracy": 0.5},
    {"loss": 0.5, "accuracy": 0.8, "val_loss": 0.9, "val_accuracy": 0.6},
    {"loss": 0.45, "accuracy": 0.8, "val_loss": 0.95, "val_accuracy": 0.65},
]


def _run_epochs(cb, logs_seq, begin=True):
    if begin:
        cb.on_train_begin({})
    for epoch, logs in enumerate(logs_seq):
        cb.on_epoch_begin(epoch, {})
        cb.on_epoch_end(epoch, dict(logs))
    cb.on_train_end({})


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x[:, 0] + x[:, 1] > 0).astype(np.int32)


def _model(dropout=0.0):
    layers = [wg.Input((4,)), wg.layers.Dense(8, activation="relu")]
    if dropout:
        layers.append(wg.layers.Dropout(dropout))
    model = wg.Sequential([*layers, wg.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=wg.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


# ---- CSVLogger ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("logs_seq", [EPOCH_LOGS[:3], [{"loss": 0.5, "accuracy": 0.75}, {"loss": 0.4, "accuracy": 0.8}],
                                      [{"loss": 0.5, "accuracy": np.float32(0.25), "per_class": [0.1, 0.2]}]])
def test_csv_logger_writes_what_keras_writes(tmp_path, logs_seq):
    for lib, name in ((keras, "k.csv"), (wg, "w.csv")):
        _run_epochs(lib.callbacks.CSVLogger(str(tmp_path / name)), logs_seq)
    assert (tmp_path / "w.csv").read_bytes() == (tmp_path / "k.csv").read_bytes()


def test_csv_logger_append_and_separator_as_keras(tmp_path):
    for lib, name in ((keras, "k.csv"), (wg, "w.csv")):
        _run_epochs(lib.callbacks.CSVLogger(str(tmp_path / name), separator=";"), EPOCH_LOGS[:2])
        _run_epochs(lib.callbacks.CSVLogger(str(tmp_path / name), separator=";", append=True), EPOCH_LOGS[2:4])
    text = (tmp_path / "w.csv").read_text()
    assert text == (tmp_path / "k.csv").read_text()
    assert text.count("epoch;") == 1 and len(text.splitlines()) == 5


def test_csv_logger_in_fit(tmp_path):
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=3, validation_split=0.25, verbose=0, callbacks=[wg.callbacks.CSVLogger(tmp_path / "l.csv")])
    rows = (tmp_path / "l.csv").read_text().splitlines()
    header = rows[0].split(",")
    assert header[0] == "epoch" and {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(header)
    assert header[1:] == sorted(header[1:])
    assert [r.split(",")[0] for r in rows[1:]] == ["0", "1", "2"]


# ---- ModelCheckpoint --------------------------------------------------------------------------------------
class _Recorder:
    """Stands in for a model: records where ModelCheckpoint saves."""

    def __init__(self):
        self.saved = []
        self.optimizer = None
        self.compiled_metrics = []

    def save(self, filepath, overwrite=True):
        self.saved.append(("model", os.path.basename(filepath)))

    def save_weights(self, filepath, overwrite=True):
        self.saved.append(("weights", os.path.basename(filepath)))


CHECKPOINT_CASES = [
    dict(filepath="m-{epoch:02d}-{val_loss:.2f}.keras"),
    dict(filepath="best.keras", save_best_only=True),
    dict(filepath="w-{epoch:02d}.weights.h5", save_best_only=True, save_weights_only=True),
    dict(filepath="acc-{epoch}-{val_accuracy:.3f}.keras", monitor="val_accuracy", mode="max", save_best_only=True),
    dict(filepath="loss-{epoch}.keras", monitor="loss", save_best_only=True, initial_value_threshold=0.65),
    dict(filepath="vl-{epoch}.keras", monitor="val_loss", mode="max", save_best_only=True),
]


@pytest.mark.parametrize("kwargs", CHECKPOINT_CASES)
def test_model_checkpoint_file_names_and_best_only_choices_match_keras(tmp_path, kwargs):
    saved = {}
    for lib in (keras, wg):
        cb = lib.callbacks.ModelCheckpoint(**{**kwargs, "filepath": str(tmp_path / kwargs["filepath"])})
        recorder = _Recorder()
        cb.set_model(recorder)
        _run_epochs(cb, EPOCH_LOGS)
        saved[lib.__name__] = recorder.saved
    assert saved["webgrad"] == saved["keras"]
    assert saved["webgrad"]  # every case saves at least once


def test_model_checkpoint_every_n_batches_matches_keras(tmp_path):
    saved = {}
    for lib in (keras, wg):
        cb = lib.callbacks.ModelCheckpoint(str(tmp_path / "b-{epoch}-{batch}.keras"), save_freq=3)
        recorder = _Recorder()
        cb.set_model(recorder)
        cb.on_train_begin({})
        for epoch in range(2):
            cb.on_epoch_begin(epoch, {})
            for b in range(5):
                cb.on_train_batch_end(b, {"loss": 1.0 / (b + 1)})
            cb.on_epoch_end(epoch, {"loss": 0.5})
        saved[lib.__name__] = recorder.saved
    assert saved["webgrad"] == saved["keras"] == [("model", "b-1-3.keras"), ("model", "b-2-1.keras"),
                                                 ("model", "b-2-4.keras")]


def test_model_checkpoint_argument_errors_as_keras(tmp_path):
    for lib in (keras, wg):
        with pytest.raises(ValueError, match=r"\.weights\.h5"):
            lib.callbacks.ModelCheckpoint(str(tmp_path / "x.keras"), save_weights_only=True)
        with pytest.raises(ValueError, match=r"\.keras"):
            lib.callbacks.ModelCheckpoint(str(tmp_path / "x.ckpt"))
        with pytest.raises(ValueError, match="save_freq"):
            lib.callbacks.ModelCheckpoint(str(tmp_path / "x.keras"), save_freq="batch")


def test_model_checkpoint_in_fit_saves_loadable_files(tmp_path):
    x, y = _data()
    model = _model()
    best = wg.callbacks.ModelCheckpoint(tmp_path / "best.keras", monitor="val_accuracy", save_best_only=True)
    every = wg.callbacks.ModelCheckpoint(str(tmp_path / "w-{epoch:02d}-{val_loss:.2f}.weights.h5"),
                                         save_weights_only=True)
    history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0, callbacks=[best, every])
    names = sorted(n for n in os.listdir(tmp_path) if n.startswith("w-"))
    assert names == [f"w-{e + 1:02d}-{v:.2f}.weights.h5" for e, v in enumerate(history.history["val_loss"])]
    loaded = wg.models.load_model(tmp_path / "best.keras")
    assert loaded.evaluate(x[30:], y[30:], verbose=0, return_dict=True)["accuracy"] == pytest.approx(
        max(history.history["val_accuracy"]))
    last = _model()
    last.load_weights(tmp_path / names[-1])
    np.testing.assert_array_equal(last.predict(x, verbose=0), model.predict(x, verbose=0))


# ---- ReduceLROnPlateau / LearningRateScheduler -----------------------------------------------------------------
LR_LOGS = [{"val_loss": v, "loss": v} for v in (1.0, 0.9, 0.9, 0.9, 0.89995, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8)]


@pytest.mark.parametrize("kwargs", [
    dict(factor=0.5, patience=2),
    dict(factor=0.1, patience=1, cooldown=2),
    dict(factor=0.5, patience=1, min_lr=0.03),
    dict(factor=0.5, patience=2, min_delta=0.0),
    dict(monitor="loss", factor=0.2, patience=1, mode="max"),
])
def test_reduce_lr_on_plateau_gives_keras_learning_rates(kwargs):
    rates = {}
    for lib in (keras, wg):
        model = SimpleNamespace(optimizer=lib.optimizers.SGD(0.1), metrics=[], compiled_metrics=[])
        cb = lib.callbacks.ReduceLROnPlateau(**kwargs)
        cb.set_model(model)
        cb.on_train_begin({})
        seq, logged = [], []
        for epoch, logs in enumerate(LR_LOGS):
            logs = dict(logs)
            cb.on_epoch_end(epoch, logs)
            logged.append(logs["learning_rate"])
            seq.append(float(np.asarray(model.optimizer.learning_rate)))
        rates[lib.__name__] = (seq, logged)
    assert rates["webgrad"] == rates["keras"]
    assert len(set(rates["webgrad"][0])) > 1  # the rate did change


def test_reduce_lr_on_plateau_in_fit_steps_with_the_new_rate():
    x, y = _data()
    model = _model()
    cb = wg.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, mode="max", min_delta=10.0)
    seen = []
    log = wg.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: seen.append(float(model.optimizer.learning_rate)))
    model.fit(x, y, epochs=4, verbose=0, callbacks=[cb, log])
    # epoch 1 sets the best value; every later epoch falls short of it by min_delta and halves the rate
    assert seen == [pytest.approx(r) for r in (0.01, 0.01, 0.005, 0.0025)]
    assert float(model.optimizer.learning_rate) == pytest.approx(0.00125)


def test_learning_rate_scheduler_matches_keras():
    rates = {}
    for lib in (keras, wg):
        model = SimpleNamespace(optimizer=lib.optimizers.SGD(0.1))
        cb = lib.callbacks.LearningRateScheduler(lambda epoch, lr: lr if epoch < 2 else lr * math.exp(-0.1))
        cb.set_model(model)
        out = []
        for epoch in range(5):
            cb.on_epoch_begin(epoch, {})
            logs = {"loss": 1.0}
            cb.on_epoch_end(epoch, logs)
            out.append(logs["learning_rate"])
        rates[lib.__name__] = out
    assert rates["webgrad"] == pytest.approx(rates["keras"], rel=1e-7)


# ---- LambdaCallback / TerminateOnNaN / CallbackList -------------------------------------------------------------
def test_lambda_callback_hooks_in_fit():
    x, y = _data()
    calls = []
    cb = wg.callbacks.LambdaCallback(
        on_train_begin=lambda logs: calls.append("train_begin"),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, "loss" in logs)),
        on_train_batch_end=lambda batch, logs: calls.append("batch"),
        on_train_end=lambda logs: calls.append("train_end"))
    _model().fit(x, y, epochs=2, batch_size=20, verbose=0, callbacks=[cb])
    assert calls == ["train_begin", "batch", "batch", ("epoch_end", 0, True), "batch", "batch",
                     ("epoch_end", 1, True), "train_end"]
    with pytest.raises(TypeError, match="on_tran_end"):
        wg.callbacks.LambdaCallback(on_tran_end=print)


def test_terminate_on_nan_as_keras(capsys):
    for lib in (keras, wg):
        model = SimpleNamespace(stop_training=False)
        cb = lib.callbacks.TerminateOnNaN()
        cb.set_model(model)
        cb.on_train_batch_end(0, {"loss": 0.5})
        assert model.stop_training is False
        cb.on_train_batch_end(1, {"loss": float("inf")})
        assert model.stop_training is True
        with pytest.raises(RuntimeError, match="NaN or Inf loss"):
            strict = lib.callbacks.TerminateOnNaN(raise_error=True)
            strict.set_model(model)
            strict.on_train_batch_end(2, {"loss": float("nan")})
    out = capsys.readouterr().out
    assert out.count("Batch 1: Invalid loss, terminating training") == 2


def test_callback_list_calls_each_with_a_logs_dict():
    got = []
    cbs = wg.callbacks.CallbackList([wg.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: got.append((e, logs)))],
                                    add_history=True)
    cbs.on_epoch_end(0)
    cbs.on_epoch_end(1, {"loss": 1.0})
    assert got == [(0, {}), (1, {"loss": 1.0})] and len(cbs) == 2


def test_keras_callbacks_webgrad_lacks_say_so():
    with pytest.raises(NotImplementedError, match="TensorBoard"):
        wg.callbacks.TensorBoard  # noqa: B018
    assert wg.callbacks.ProgbarLogger  # accepted, a no-op


# ---- BackupAndRestore -------------------------------------------------------------------------------------
class _Interrupt(wg.callbacks.Callback):
    def __init__(self, at_epoch):
        self.at_epoch = at_epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise RuntimeError("interrupted")


@pytest.mark.parametrize("save_freq", ["epoch", 2])
def test_backup_and_restore_resumes_an_interrupted_fit_exactly(tmp_path, save_freq):
    x, y = _data()
    fit = dict(epochs=5, batch_size=8, verbose=0)  # shuffled: the random state is restored too
    wg.set_seed(3)
    reference = _model()
    reference.fit(x, y, **fit)

    backup = tmp_path / "backup"
    wg.set_seed(3)
    model = _model()
    epochs_run = []
    track = wg.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: epochs_run.append(e))
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(x, y, callbacks=[wg.callbacks.BackupAndRestore(backup, save_freq=save_freq), _Interrupt(2), track],
                  **fit)
    assert sorted(os.listdir(backup)) == ["latest.weights.h5", "training_metadata.json"]

    wg.set_seed(99)  # a new process: other initial weights, another random state
    resumed = _model()
    history = resumed.fit(x, y, callbacks=[wg.callbacks.BackupAndRestore(backup, save_freq=save_freq), track], **fit)
    if save_freq == 2:  # the last backup was taken inside epoch 3, which runs again (as in Keras)
        assert epochs_run == [0, 1, 2, 2, 3, 4] and history.epoch == [2, 3, 4]
    else:
        assert epochs_run == [0, 1, 2, 3, 4] and history.epoch == [3, 4]
        assert all(np.array_equal(a, b) for a, b in zip(resumed.get_weights(), reference.get_weights(), strict=True))
        assert resumed.optimizer.iterations == reference.optimizer.iterations
    assert not backup.exists()  # delete_checkpoint=True after a completed fit


def test_backup_and_restore_without_a_backup_trains_from_the_start(tmp_path):
    x, y = _data()
    history = _model().fit(x, y, epochs=2, verbose=0,
                           callbacks=[wg.callbacks.BackupAndRestore(tmp_path / "b", delete_checkpoint=False)])
    assert history.epoch == [0, 1]
    assert sorted(os.listdir(tmp_path / "b")) == ["latest.weights.h5", "training_metadata.json"]
    with pytest.raises(ValueError, match="Empty `backup_dir`"):
        wg.callbacks.BackupAndRestore("")


def test_batch_level_checkpoints_on_the_jax_backend_save_the_current_weights(tmp_path):
    pytest.importorskip("jax")
    x, y = _data(64)
    model = wg.Sequential([wg.Input((4,)), wg.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=wg.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy", backend="jax")
    initial = model.get_weights()
    cb = wg.callbacks.ModelCheckpoint(str(tmp_path / "b{batch}.weights.h5"), save_weights_only=True, save_freq=2)
    model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0, callbacks=[cb])
    after_two, after_four = _model_like(model), _model_like(model)
    after_two.load_weights(tmp_path / "b2.weights.h5")
    after_four.load_weights(tmp_path / "b4.weights.h5")
    assert not np.array_equal(after_two.get_weights()[0], initial[0])  # not the weights of the epoch start
    assert not np.array_equal(after_two.get_weights()[0], model.get_weights()[0])
    np.testing.assert_array_equal(after_four.get_weights()[0], model.get_weights()[0])


def _model_like(model):
    clone = wg.models.clone_model(model)
    clone.compile(optimizer=wg.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
    return clone


@pytest.mark.parametrize("kwargs", [
    dict(monitor="val_loss", patience=1),
    dict(monitor="val_loss", patience=2, min_delta=0.06),
    dict(monitor="val_accuracy", patience=1, mode="max", baseline=0.58),
    dict(monitor="loss", patience=0, start_from_epoch=3),
    dict(monitor="val_loss", patience=1, restore_best_weights=True),
])
def test_early_stopping_stops_where_keras_stops(kwargs):
    out = {}
    for lib in (keras, wg):
        state = {"epoch": -1}
        model = SimpleNamespace(stop_training=False, metrics=[], compiled_metrics=[],
                                get_weights=lambda s=state: [np.array(s["epoch"])],
                                set_weights=lambda w, s=state: s.update(restored=int(w[0])))
        cb = lib.callbacks.EarlyStopping(**kwargs)
        cb.set_model(model)
        cb.on_train_begin({})
        waits = []
        for epoch, logs in enumerate(EPOCH_LOGS):
            state["epoch"] = epoch
            cb.on_epoch_end(epoch, dict(logs))
            waits.append(cb.wait)
            if model.stop_training:
                break
        cb.on_train_end({})
        out[lib.__name__] = (cb.stopped_epoch, float(cb.best), waits, state.get("restored"))
    assert out["webgrad"] == out["keras"]


def test_early_stopping_warns_on_a_missing_monitor_as_keras():
    cb = wg.callbacks.EarlyStopping(monitor="val_loss")
    cb.set_model(SimpleNamespace(stop_training=False, compiled_metrics=[]))
    cb.on_train_begin()
    with pytest.warns(UserWarning, match="val_loss.*not available.*validation data"):
        cb.on_epoch_end(0, {"loss": 1.0})
