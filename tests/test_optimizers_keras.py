"""The Keras 3 optimizer API around the update rules: a settable ``learning_rate``, ``iterations``,
``apply``, ``get_config``/``from_config`` and ``serialize``/``deserialize``/``get``, compared with Keras."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np
import pytest

import webgrad as wg
from webgrad.tensor import Variable

keras = pytest.importorskip("keras")

PAIRS = [("SGD", dict(learning_rate=0.05, momentum=0.9, nesterov=True)),
         ("Adam", dict(learning_rate=0.002, beta_1=0.8, beta_2=0.99, epsilon=1e-6)),
         ("AdamW", dict(learning_rate=0.003, weight_decay=0.01)),
         ("RMSprop", dict(learning_rate=0.01, rho=0.8, momentum=0.5))]


def test_learning_rate_reads_and_sets_like_keras():
    k, w = keras.optimizers.SGD(0.1), wg.optimizers.SGD(0.1)
    assert float(w.learning_rate) == float(np.asarray(k.learning_rate))  # a float32, as Keras's variable
    for value in (0.05, 1e-3, 0.3):
        k.learning_rate = value
        w.learning_rate = value
        assert float(w.learning_rate) == float(np.asarray(k.learning_rate))
    w.learning_rate.assign(0.02)
    k.learning_rate.assign(0.02)
    assert float(w.learning_rate) == float(np.asarray(k.learning_rate))
    assert w.learning_rate.numpy().dtype == np.float32
    with pytest.raises(ValueError, match="learning_rate must be positive"):
        w.learning_rate = -1.0


def test_a_schedule_makes_the_learning_rate_read_only_as_in_keras():
    k = keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5))
    w = wg.optimizers.SGD(wg.schedules.ExponentialDecay(0.1, 10, 0.5))
    for opt in (k, w):
        with pytest.raises(TypeError, match="not settable"):
            opt.learning_rate = 0.01
    v = Variable(np.zeros(2, np.float32), "v")
    for _ in range(10):
        w.apply_gradients([(np.ones(2, np.float32), v)])
    assert float(w.learning_rate) == pytest.approx(0.05)  # the schedule's value at iterations=10


@pytest.mark.parametrize(("name", "kwargs"), PAIRS)
def test_get_config_uses_keras_names_and_values(name, kwargs):
    kconfig = getattr(keras.optimizers, name)(**kwargs).get_config()
    wconfig = getattr(wg.optimizers, name)(**kwargs).get_config()
    assert set(wconfig) <= set(kconfig)
    for key, value in wconfig.items():
        if key != "name":
            assert value == pytest.approx(kconfig[key], rel=1e-6), key
    # Keras's own serialized optimizer loads in webgrad (its extra arguments at their defaults)
    loaded = wg.optimizers.deserialize(keras.optimizers.serialize(getattr(keras.optimizers, name)(**kwargs)))
    assert type(loaded).__name__ == name
    assert {k: v for k, v in loaded.get_config().items() if k != "name"} == {
        k: v for k, v in wconfig.items() if k != "name"}


def test_keras_arguments_webgrad_lacks_raise_not_implemented():
    assert wg.optimizers.Adam(clipnorm=None, amsgrad=False).get_config()["learning_rate"] == 0.001
    with pytest.raises(NotImplementedError, match="clipnorm"):
        wg.optimizers.Adam(clipnorm=1.0)
    with pytest.raises(NotImplementedError, match="amsgrad"):
        wg.optimizers.deserialize(keras.optimizers.serialize(keras.optimizers.Adam(amsgrad=True)))
    with pytest.raises(TypeError, match="nesterof"):
        wg.optimizers.SGD(nesterof=True)
    with pytest.raises(NotImplementedError, match="Nadam"):
        wg.optimizers.Nadam  # noqa: B018


def test_serialize_round_trips_a_schedule_and_get_takes_any_case():
    opt = wg.optimizers.RMSprop(wg.schedules.CosineDecay(0.1, 100, alpha=0.1, warmup_steps=5), rho=0.8)
    again = wg.optimizers.deserialize(wg.optimizers.serialize(opt))
    assert isinstance(again._learning_rate, wg.schedules.CosineDecay)
    assert again.get_config() == opt.get_config()
    assert type(wg.optimizers.get("Adam")) is type(wg.optimizers.get("adam")) is wg.optimizers.Adam
    with pytest.raises(ValueError, match="unknown optimizer 'adamax'"):
        wg.optimizers.get("adamax")


def test_apply_is_apply_gradients_and_counts_iterations():
    grads = [np.array([0.5, -1.0], np.float32), np.array([2.0], np.float32)]
    a = [Variable(np.ones(2, np.float32), "a"), Variable(np.ones(1, np.float32), "b")]
    b = [Variable(np.ones(2, np.float32), "a"), Variable(np.ones(1, np.float32), "b")]
    opt_a, opt_b = wg.optimizers.Adam(0.1), wg.optimizers.Adam(0.1)
    for _ in range(3):
        opt_a.apply(grads, a)
        opt_b.apply_gradients(zip(grads, b, strict=True))
    assert opt_a.iterations == opt_b.iterations == 3
    assert all(np.array_equal(x.numpy(), y.numpy()) for x, y in zip(a, b, strict=True))
    opt_a.apply(grads)  # after the first call (which builds), the variables may be left out, as in Keras
    assert opt_a.iterations == 4
    with pytest.raises(ValueError, match="needs build"):
        wg.optimizers.SGD().apply(grads)
    with pytest.raises(ValueError, match="2 gradients for 1 variables"):
        wg.optimizers.SGD().apply(grads, a[:1])
