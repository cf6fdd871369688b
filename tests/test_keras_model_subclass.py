"""Subclassed ``wg.Model`` (layers in ``__init__``, logic in ``call``), dict outputs, losses and
regularizers in ``model.losses`` (issue 14, item 1)."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import webgrad as wg
from webgrad.exporter.runner import load_bundle


class Net(wg.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = wg.layers.Dense(16, activation="relu")
        self.drop = wg.layers.Dropout(0.2)
        self.out = wg.layers.Dense(3, activation="softmax")

    def call(self, x, training=False):
        return self.out(self.drop(self.hidden(x), training=training))


def _data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("int32") + (x[:, 1] > 1).astype("int32")


def test_subclassed_model_builds_on_first_call_and_fits():
    wg.set_seed(0)
    x, y = _data()
    net = Net()
    assert not net.built and net.layers == [net.hidden, net.drop, net.out]
    assert net(x[:2]).shape == (2, 3) and net.built
    assert len(net.trainable_weights) == 4 and net.count_params() == 4 * 16 + 16 + 16 * 3 + 3
    net.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    first = net.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    net.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert net.evaluate(x, y, verbose=0, return_dict=True)["loss"] < first
    assert net.predict(x, verbose=0).shape == (64, 3)
    text = net.summary(print_fn=None)
    assert f"{net.hidden.name} (Dense)" in text and "(None, 16)" in text and "Total params: 131" in text


def test_subclassed_model_builds_symbolically_and_from_fit():
    net = Net()
    net.build((None, 4))
    assert net.output_shapes == [(None, 3)] and net.inputs[0].shape == (None, 4)
    fresh = Net()
    fresh.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x, y = _data(8)
    fresh.fit(x, y, epochs=1, verbose=0)  # built by fit
    assert fresh.built and len(fresh.weights) == 4


def test_subclassed_model_exports_and_the_bundle_matches_predict(tmp_path):
    x, _ = _data(5)
    net = Net()
    net(x[:1])
    wg.export(net, tmp_path / "b", verbose=0)
    runner = load_bundle(tmp_path / "b")
    np.testing.assert_allclose(runner.predict(x), net.predict(x, verbose=0), atol=1e-5)


def test_model_without_inputs_or_call_says_how_to_make_one():
    with pytest.raises(ValueError, match=r"no inputs: create it as wg.Model\(inputs=wg.Input"):
        wg.Model().predict(np.ones((1, 2), np.float32))


def test_functional_model_with_dict_outputs_returns_a_dict():
    inp = wg.Input((4,))
    h = wg.layers.Dense(8, activation="relu")(inp)
    model = wg.Model(inp, {"b_score": wg.layers.Dense(1)(h), "a_class": wg.layers.Dense(3, name="cls")(h)})
    out = model(np.ones((2, 4), np.float32))
    assert set(out) == {"a_class", "b_score"} and out["a_class"].shape == (2, 3)
    assert model.output_names == ["a_class", "b_score"] and [o.shape for o in model.outputs] == [(None, 3), (None, 1)]
    clone = wg.Model.from_config(model.get_config())
    assert set(clone(np.ones((1, 4), np.float32))) == {"a_class", "b_score"}


def test_weight_and_activity_regularizers_and_add_loss_in_model_losses():
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(1).normal(size=(4, 3)).astype("float32")
    kw = dict(kernel_regularizer=wg.regularizers.L2(0.1), bias_regularizer=wg.regularizers.L1(0.2),
              activity_regularizer=wg.regularizers.L1L2(l1=0.01, l2=0.02), bias_initializer="ones")
    wd = wg.layers.Dense(2, **kw)
    kd = keras.layers.Dense(2, kernel_regularizer=keras.regularizers.L2(0.1),
                            bias_regularizer=keras.regularizers.L1(0.2),
                            activity_regularizer=keras.regularizers.L1L2(l1=0.01, l2=0.02), bias_initializer="ones")
    kd.build((None, 3))
    wd.build((None, 3))
    wd.set_weights([np.asarray(w) for w in kd.get_weights()])
    kd(x), wd(x)
    want = sorted(float(np.asarray(v)) for v in kd.losses)
    got = sorted(float(np.asarray(v.numpy() if hasattr(v, "numpy") else v)) for v in wd.losses)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert len(wd.losses) == 3  # activity, kernel, bias
    wd(x)
    assert len(wd.losses) == 3  # the activity loss is replaced per call, not accumulated

    class Penalized(wg.layers.Layer):
        def call(self, x):
            self.add_loss(wg.raw_ops.ReduceSum(x))
            return x

    inp = wg.Input((3,))
    model = wg.Model(inp, wg.layers.Dense(2, kernel_regularizer="l2")(Penalized()(inp)))
    model(x)
    assert len(model.losses) == 2 and np.isclose(float(model.losses[0].numpy()), x.sum(), rtol=1e-5)


def test_regularizer_penalties_have_gradients():
    from webgrad.autodiff import gradients

    dense = wg.layers.Dense(2, kernel_regularizer=wg.regularizers.L2(0.5))
    dense.build((None, 3))
    (g,) = gradients(dense.losses[0], [dense.kernel])
    np.testing.assert_allclose(np.asarray(g.data if hasattr(g, "data") else g), dense.kernel.numpy(), rtol=1e-6)


def test_regularizers_module_matches_keras():
    keras = pytest.importorskip("keras")
    w = np.random.default_rng(2).normal(size=(3, 4)).astype("float32")
    for name, args in (("L1", {"l1": 0.3}), ("L2", {"l2": 0.2}), ("L1L2", {"l1": 0.1, "l2": 0.4})):
        got = float(getattr(wg.regularizers, name)(**args)(w).numpy())
        want = float(np.asarray(getattr(keras.regularizers, name)(**args)(w)))
        assert np.isclose(got, want, rtol=1e-5), name
        mine, theirs = getattr(wg.regularizers, name)(**args).get_config(), getattr(keras.regularizers, name)(
            **args).get_config()
        assert mine.keys() == theirs.keys() and all(np.isclose(mine[k], theirs[k]) for k in mine)
    assert wg.regularizers.get("l2").l2 == 0.01 and wg.regularizers.l1_l2 is wg.regularizers.L1L2
    r = wg.regularizers.deserialize(wg.regularizers.serialize(wg.regularizers.L1L2(l1=0.5)))
    assert isinstance(r, wg.regularizers.L1L2) and r.l1 == 0.5
    with pytest.raises(ValueError, match="unknown regularizer 'l3'"):
        wg.regularizers.get("l3")
    with pytest.raises(NotImplementedError, match="not supported yet"):
        wg.regularizers.get("orthogonal_regularizer")


def test_subclassed_model_tracks_and_computes_like_keras():
    keras = pytest.importorskip("keras")

    class KNet(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.hidden = keras.layers.Dense(16, activation="relu")
            self.drop = keras.layers.Dropout(0.2)
            self.out = keras.layers.Dense(3, activation="softmax")

        def call(self, x, training=False):
            return self.out(self.drop(self.hidden(x), training=training))

    x, _ = _data(6)
    knet, net = KNet(), Net()
    knet(x[:1]), net(x[:1])
    assert [tuple(w.shape) for w in net.weights] == [tuple(w.shape) for w in knet.weights]
    assert len(net.layers) == len(knet.layers) == 3
    net.set_weights([np.asarray(w) for w in knet.get_weights()])
    np.testing.assert_allclose(net.predict(x, verbose=0), knet.predict(x, verbose=0), atol=1e-6)


def test_subclassed_model_with_dict_inputs_names_its_inputs_by_key():
    class Two(wg.Model):
        def __init__(self):
            super().__init__()
            self.dense = wg.layers.Dense(2)

        def call(self, inputs):
            return self.dense(wg.layers.concatenate([inputs["a"], inputs["b"]]))

    model = Two()
    out = model({"a": np.ones((2, 3), np.float32), "b": np.ones((2, 1), np.float32)})
    assert out.shape == (2, 2) and [x.history[0].name for x in model.inputs] == ["a", "b"]
