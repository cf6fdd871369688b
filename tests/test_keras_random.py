"""wg.random as keras.random: shapes, dtypes, distributions, Keras's seed semantics (an int seed gives
the same values each call, a SeedGenerator a reproducible stream), dropout; the seeding API stays."""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "jax"

import numpy as np
import pytest

import webgrad as wg
from webgrad import autodiff
from webgrad.tensor import SymbolicTensor, Tensor


@pytest.mark.parametrize("fn,args", [("normal", {}), ("uniform", {}), ("truncated_normal", {}),
                                     ("randint", {"minval": 0, "maxval": 5})])
def test_shapes_dtypes_and_seed_semantics_match_keras(fn, args):
    keras = pytest.importorskip("keras")
    theirs = getattr(keras.random, fn)((3, 4), seed=1, **args)
    ours = getattr(wg.random, fn)((3, 4), seed=1, **args)
    assert ours.shape == tuple(theirs.shape) and ours.dtype == str(theirs.dtype)
    again = getattr(wg.random, fn)((3, 4), seed=1, **args)
    assert (ours.numpy() == again.numpy()).all()  # an int seed: the same values on every call
    a, b = wg.random.SeedGenerator(7), wg.random.SeedGenerator(7)
    first, second = (getattr(wg.random, fn)((3, 4), seed=a, **args).numpy() for _ in range(2))
    assert not (first == second).all()  # a SeedGenerator: a new draw each call...
    assert (getattr(wg.random, fn)((3, 4), seed=b, **args).numpy() == first).all()  # ...the same stream
    ours, theirs = wg.random.SeedGenerator(3).get_config(), keras.random.SeedGenerator(3).get_config()
    assert ours.keys() == theirs.keys() and ours["seed"] == theirs["seed"] == 3


def test_distributions_have_the_asked_moments():
    n = (200_000,)
    x = wg.random.normal(n, mean=2.0, stddev=3.0, seed=0).numpy()
    assert abs(x.mean() - 2) < 0.05 and abs(x.std() - 3) < 0.05
    u = wg.random.uniform(n, minval=-1.0, maxval=3.0, seed=0).numpy()
    assert u.min() >= -1 and u.max() < 3 and abs(u.mean() - 1) < 0.02
    t = wg.random.truncated_normal(n, mean=1.0, stddev=2.0, seed=0).numpy()
    assert abs(t - 1).max() <= 4.0 and abs(t.std() - 2 * 0.8796) < 0.02  # Keras: no rescaling after truncation
    r = wg.random.randint(n, 3, 6, seed=0).numpy()
    assert set(np.unique(r)) == {3, 4, 5}


def test_unseeded_draws_follow_set_seed():
    wg.set_seed(5)
    a = wg.random.normal((4,)).numpy()
    wg.set_seed(5)
    assert (wg.random.normal((4,)).numpy() == a).all()
    assert wg.random.generator is wg.seeding.generator and wg.random.child(3).random() == wg.random.child(3).random()


def test_dropout_scales_kept_entries_and_passes_gradients():
    x = Tensor(np.ones((200, 50), np.float32), requires_grad=True)
    y = wg.random.dropout(x, 0.25, seed=0)
    kept = y.numpy() != 0
    assert abs(kept.mean() - 0.75) < 0.02 and np.allclose(y.numpy()[kept], 1 / 0.75)
    (g,) = autodiff.gradients(wg.ops.sum(y), [x])
    np.testing.assert_allclose(g, y.numpy())  # d(sum(x * mask))/dx is the mask
    shared = wg.random.dropout(np.ones((4, 6), np.float32), 0.5, noise_shape=(4, 1), seed=1).numpy()
    assert (shared == shared[:, :1]).all()
    with pytest.raises(ValueError, match="rate must be in"):
        wg.random.dropout(x, 1.0)
    with pytest.raises(NotImplementedError, match="not supported yet"):
        wg.random.dropout(SymbolicTensor((None, 3)), 0.5)


def test_shuffle_permutes_along_an_axis():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = wg.random.shuffle(x, seed=0).numpy()
    assert sorted(map(tuple, y)) == sorted(map(tuple, x)) and (y[:, 1] - y[:, 0] == 1).all()



def test_other_distributions_match_keras_s_shapes_dtypes_and_means():
    keras = pytest.importorskip("keras")
    logits = np.log(np.array([[0.2, 0.8], [0.9, 0.1]], np.float32))
    for fn, args in [("categorical", (logits, 4000)), ("binomial", ((4000,), 5, 0.3)), ("gamma", ((4000,), 2.0)),
                     ("beta", ((4000,), 2.0, 3.0))]:
        theirs = np.asarray(getattr(keras.random, fn)(*args, seed=1))
        ours = getattr(wg.random, fn)(*args, seed=1)
        assert ours.shape == theirs.shape and ours.dtype == str(theirs.dtype), fn
        np.testing.assert_allclose(ours.numpy().mean(axis=-1), theirs.mean(axis=-1), rtol=0.08, err_msg=fn)
