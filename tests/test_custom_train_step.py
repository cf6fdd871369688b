"""An overridden train_step / test_step / predict_step is what fit / evaluate / predict run (Keras 3's
"Customizing what happens in fit()"), with webgrad's gradient API for custom steps (wg.GradientTape,
compute_loss, compute_metrics, metrics); the same script under keras (on JAX) gives the same numbers."""

from __future__ import annotations

import os
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import webgrad as wg
from webgrad import layers


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6)).astype(np.float32)
    y = (x @ rng.normal(size=(6, 1)) + 0.1).astype(np.float32)
    return x, y


class GuideModel(wg.Model):
    """The guide's first example, written for webgrad: GradientTape, compute_loss, optimizer.apply, metrics."""

    calls = 0

    def train_step(self, data):
        type(self).calls += 1
        x, y = data
        with wg.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def _guide_model(cls=GuideModel):
    inputs = wg.Input((6,))
    h = layers.Dense(8, activation="relu")(inputs)
    return cls(inputs, layers.Dense(1)(h))


def test_fit_runs_an_overridden_train_step():
    # before: fit ignored the override and ran its own step (calls stayed 0)
    GuideModel.calls = 0
    x, y = _data()
    model = _guide_model()
    model.compile(optimizer=wg.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    assert GuideModel.calls == 12  # 4 batches x 3 epochs
    assert sorted(history.history) == ["loss", "mae"]  # compile_metrics' dict result is flattened, as in Keras
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_custom_train_step_matches_keras_guide_on_jax():
    """The same custom step (keras: the guide's JAX version; webgrad: GradientTape) from the same
    weights gives the same per-epoch loss and mae."""
    keras = pytest.importorskip("keras")
    import jax

    class KerasGuideModel(keras.Model):
        def compute_loss_and_updates(self, tv, ntv, x, y, training=False):
            y_pred, ntv = self.stateless_call(tv, ntv, x, training=training)
            return self.compute_loss(x, y, y_pred), (y_pred, ntv)

        def train_step(self, state, data):
            tv, ntv, ov, mv = state
            x, y = data
            (loss, (y_pred, ntv)), grads = jax.value_and_grad(self.compute_loss_and_updates, has_aux=True)(
                tv, ntv, x, y, training=True)
            tv, ov = self.optimizer.stateless_apply(ov, grads, tv)
            new_mv, logs = [], {}
            for metric in self.metrics:
                this = mv[len(new_mv):len(new_mv) + len(metric.variables)]
                if metric.name == "loss":
                    this = metric.stateless_update_state(this, loss)
                else:
                    this = metric.stateless_update_state(this, y, y_pred)
                logs[metric.name] = metric.stateless_result(this)
                new_mv += this
            return logs, (tv, ntv, ov, new_mv)

    x, y = _data()
    inputs = keras.Input((6,))
    kmodel = KerasGuideModel(inputs, keras.layers.Dense(1)(keras.layers.Dense(8, activation="relu")(inputs)))
    kmodel.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    model = _guide_model()
    model.compile(optimizer=wg.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    model.set_weights(kmodel.get_weights())
    kh = kmodel.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    wh = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0).history
    assert sorted(wh) == sorted(kh)
    for key in kh:
        np.testing.assert_allclose(wh[key], kh[key], rtol=1e-4, atol=1e-6)
    for a, b in zip(model.get_weights(), kmodel.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


class TrackerModel(wg.Model):
    """The guide's lower-level example: own loss, own metrics listed in a ``metrics`` property, no compiled loss."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = wg.metrics.Mean(name="loss")
        self.mae_metric = wg.metrics.MeanAbsoluteError(name="mae")

    def train_step(self, data):
        x, y = data
        with wg.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = wg.losses.mean(wg.losses.get("mse").call(y, y_pred))
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights, strict=True))
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        self.loss_tracker.update_state(wg.losses.mean(wg.losses.get("mse").call(y, y_pred)))
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


def test_loss_tracker_pattern_resets_each_epoch_and_compiles_without_a_loss():
    x, y = _data()
    model = _guide_model(TrackerModel)
    model.compile(optimizer=wg.optimizers.SGD(0.05))  # no loss: the step computes its own
    history = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]
    # reset at each epoch start: the second epoch's mae is that epoch's mean, not a running mean of both
    epoch2 = model.evaluate(x, y, batch_size=64, verbose=0, return_dict=True)
    assert model.mae_metric.count.data == 64 and set(epoch2) == {"loss", "mae"}


def test_overridden_test_step_and_predict_step_are_used():
    x, y = _data(20)
    calls = []

    class Steps(wg.Model):
        def test_step(self, data):
            x, _ = data
            calls.append(("test", len(x)))
            return {"n": float(len(x))}

        def predict_step(self, data):
            (x,) = data
            calls.append(("predict", len(x)))
            return np.full((len(x), 1), 7.0, np.float32)

    inputs = wg.Input((6,))
    model = Steps(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    assert model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True) == {"n": 4.0}
    np.testing.assert_array_equal(model.predict(x, batch_size=8), np.full((20, 1), 7.0, np.float32))
    assert calls == [("test", 8), ("test", 8), ("test", 4), ("predict", 8), ("predict", 8), ("predict", 4)]


def test_compute_loss_override_is_used_by_the_builtin_step():
    seen = []

    class HalfLoss(wg.Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            loss = super().compute_loss(x, y, y_pred, sample_weight, training=training)
            seen.append(training)
            return loss * np.float32(0.5)

    x, y = _data(32)
    inputs = wg.Input((6,))
    model, plain = HalfLoss(inputs, layers.Dense(1)(inputs)), None
    model.compile(optimizer=wg.optimizers.SGD(0.1), loss="mse")
    inputs2 = wg.Input((6,))
    plain = wg.Model(inputs2, layers.Dense(1)(inputs2))
    plain.compile(optimizer=wg.optimizers.SGD(0.1), loss="mse")
    plain.set_weights(model.get_weights())
    h = model.fit(x, y, batch_size=32, epochs=1, verbose=0, validation_data=(x, y)).history
    hp = plain.fit(x, y, batch_size=32, epochs=1, verbose=0).history
    assert seen == [True, False]  # the train step, then validation's test step
    assert h["loss"][0] == pytest.approx(hp["loss"][0] / 2, rel=1e-5)


def test_compute_loss_adds_model_losses_and_compute_metrics_returns_logs():
    x, y = _data(8)
    inputs = wg.Input((6,))
    model = wg.Model(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    y_pred = model(x)
    base = float(np.mean((np.asarray(y_pred) - y) ** 2))
    assert float(model.compute_loss(x, y, y_pred).numpy()) == pytest.approx(base, rel=1e-5)
    sw = np.r_[np.ones(4), np.zeros(4)].astype(np.float32)
    per = np.mean((np.asarray(y_pred) - y) ** 2, axis=1)
    assert float(model.compute_loss(x, y, y_pred, sw).numpy()) == pytest.approx(per[:4].sum() / 8, rel=1e-5)
    logs = model.compute_metrics(x, y, y_pred)
    assert set(logs) == {"loss", "mae"}
    assert float(logs["mae"]) == pytest.approx(float(np.mean(np.abs(np.asarray(y_pred) - y))), rel=1e-5)
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics"]


def test_gradient_tape_errors_are_clear():
    x, y = _data(4)
    inputs = wg.Input((6,))
    model = wg.Model(inputs, layers.Dense(1)(inputs))
    with wg.GradientTape() as tape:
        loss = wg.losses.mean(wg.losses.get("mse").call(y, model(x, training=True)))
    grads = tape.gradient(loss, model.trainable_weights)
    assert [g.shape for g in grads] == [(6, 1), (1,)]
    with pytest.raises(RuntimeError, match="only be called once on a non-persistent tape"):
        tape.gradient(loss, model.trainable_weights)
    with wg.GradientTape() as tape:
        per_example = wg.losses.get("mse").call(y, model(x, training=True))
    with pytest.raises(ValueError, match=r"target of shape \(4,\).*per-example"):
        tape.gradient(per_example, model.trainable_weights)
    with pytest.raises(TypeError, match="the target must be a webgrad Tensor"):
        wg.GradientTape().gradient(1.0, model.trainable_weights)


def test_custom_train_step_on_jax_runs_eagerly_with_a_warning_and_matches_numpy():
    pytest.importorskip("jax")
    x, y = _data()
    results = {}
    for backend in ("numpy", "jax"):
        wg.set_seed(0)
        model = _guide_model()
        model.compile(optimizer=wg.optimizers.SGD(0.05), loss="mse", metrics=["mae"], backend=backend)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            h = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, validation_data=(x, y)).history
        eager = [w for w in caught if "trains eagerly on the numpy reference" in str(w.message)]
        assert len(eager) == (1 if backend == "jax" else 0)
        results[backend] = h
    for key in results["numpy"]:
        np.testing.assert_allclose(results["jax"][key], results["numpy"][key], rtol=1e-4)


def test_dp_with_a_custom_train_step_is_refused():
    x, y = _data(16)
    model = _guide_model()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(NotImplementedError, match=r"dp=.*custom train_step is not supported yet"):
        model.fit(x, y, dp={"l2_norm_clip": 1.0, "noise_multiplier": 1.0}, verbose=0)


class Subclassed(wg.Model):
    """A subclassed model (layers in __init__, logic in call) with its own train_step."""

    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(8, activation="relu")
        self.out = layers.Dense(1)
        self.steps = 0

    def call(self, x, training=False):
        return self.out(self.hidden(x))

    def train_step(self, data):
        self.steps += 1
        x, y, sample_weight = wg.data_adapters.unpack_x_y_sample_weight(data)
        with wg.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        self.optimizer.apply_gradients(zip(tape.gradient(loss, self.trainable_weights), self.trainable_weights,
                                           strict=True))
        next(m for m in self.metrics if m.name == "loss").update_state(loss)
        return self.compute_metrics(x, y, y_pred, sample_weight)


def test_subclassed_model_custom_and_builtin_steps():
    x, y = _data()
    model = Subclassed()
    model.compile(optimizer=wg.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    history = model.fit(x, y, batch_size=16, epochs=3, verbose=0, sample_weight=np.ones(len(x)))
    assert model.steps == 12 and sorted(history.history) == ["loss", "mae"]
    assert len(model.trainable_weights) == 4  # both Dense layers reach the optimizer
    assert history.history["loss"][-1] < history.history["loss"][0]
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    np.testing.assert_allclose(logs["loss"], np.mean((model.predict(x) - y) ** 2), rtol=1e-5)


def test_metric_attributes_join_model_metrics_super_train_step_and_reset_each_epoch():
    class Counting(wg.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.rows = wg.metrics.Mean(name="rows")

        def train_step(self, data):
            self.rows.update_state(float(len(data[0])))
            return super().train_step(data)  # the built-in step, as in Keras

    x, y = _data(40)
    inputs = wg.Input((6,))
    model = Counting(inputs, layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics", "rows"]
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert history.history["rows"] == pytest.approx([40 / 3, 40 / 3])
    assert float(model.rows.count.data) == 3  # reset at the start of the second epoch


def test_a_custom_step_trains_without_labels():
    class AutoEncoder(wg.Model):
        def train_step(self, data):
            (x,) = data  # fit(x) with no y hands the step (x,), as Keras does
            with wg.GradientTape() as tape:
                loss = wg.losses.mean(wg.losses.get("mse").call(x, self(x, training=True)))
            self.optimizer.apply(tape.gradient(loss, self.trainable_weights), self.trainable_weights)
            return {"reconstruction": loss}

    x, _ = _data(32)
    inputs = wg.Input((6,))
    model = AutoEncoder(inputs, layers.Dense(6)(layers.Dense(3)(inputs)))
    model.compile(optimizer=wg.optimizers.SGD(0.05))
    history = model.fit(x, epochs=3, batch_size=8, verbose=0)
    assert list(history.history) == ["reconstruction"]
    assert history.history["reconstruction"][-1] < history.history["reconstruction"][0]
    plain = wg.Model(inputs, layers.Dense(6)(inputs))
    plain.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="labels missing"):  # the built-in step needs labels
        plain.fit(x, verbose=0)
