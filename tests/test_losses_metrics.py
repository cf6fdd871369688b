"""Losses and metrics against direct numpy/scipy formulas."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import log_softmax, softmax

import webgrad as wg
from webgrad import raw_ops as ops
from webgrad.autodiff import gradients
from webgrad.tensor import Variable

RNG = np.random.default_rng(0)
LOGITS = RNG.normal(0, 2, (6, 4)).astype(np.float32)
LABELS = np.array([0, 3, 1, 2, 3, 0])


def test_sparse_cce_probs_logits_and_softmax_output_agree():
    want = -log_softmax(LOGITS.astype(np.float64), axis=1)[np.arange(6), LABELS]
    probs = softmax(LOGITS.astype(np.float64), axis=1).astype(np.float32)
    got_probs = wg.losses.get("sparse_categorical_crossentropy").call(LABELS, probs).numpy()
    got_logits = wg.losses.SparseCategoricalCrossentropy(from_logits=True).call(LABELS, LOGITS).numpy()
    z = Variable(LOGITS, "z")
    got_softmax = wg.losses.get("sparse_categorical_crossentropy").call(LABELS, ops.Softmax(z)).numpy()
    for got in (got_probs, got_logits, got_softmax):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_softmax_output_loss_stays_finite_when_saturated():
    z = Variable(np.array([[100.0, 0.0, -100.0]], np.float32), "z")
    loss = wg.losses.get("sparse_categorical_crossentropy").call(np.array([2]), ops.Softmax(z))
    assert loss.numpy()[0] == pytest.approx(200.0, rel=1e-5)  # log-sum-exp of the logits, not a clipped log


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    z = Variable(LOGITS, "z")
    loss = wg.losses.mean(wg.losses.SparseCategoricalCrossentropy(from_logits=True).call(LABELS, z))
    (g,) = gradients(loss, [z])
    want = (softmax(LOGITS.astype(np.float64), axis=1) - np.eye(4)[LABELS]) / 6
    np.testing.assert_allclose(g, want, rtol=1e-4, atol=1e-6)


def test_categorical_binary_mse():
    onehot = np.eye(4, dtype=np.float32)[LABELS]
    cce = wg.losses.CategoricalCrossentropy(from_logits=True).call(onehot, LOGITS).numpy()
    np.testing.assert_allclose(cce, -(onehot * log_softmax(LOGITS, axis=1)).sum(1), rtol=1e-5)
    y = (RNG.random((6, 4)) > 0.5).astype(np.float32)
    p = 1 / (1 + np.exp(-LOGITS.astype(np.float64)))
    want = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(1)
    np.testing.assert_allclose(wg.losses.BinaryCrossentropy(from_logits=True).call(y, LOGITS).numpy(), want, rtol=1e-5)
    bce = wg.losses.get("binary_crossentropy").call(y, p.astype(np.float32)).numpy()
    np.testing.assert_allclose(bce, want, rtol=1e-4)
    np.testing.assert_allclose(wg.losses.get("mse").call(y, LOGITS).numpy(), ((y - LOGITS) ** 2).mean(1), rtol=1e-5)


def test_metrics():
    probs = softmax(LOGITS, axis=1)
    acc = wg.metrics.get("accuracy", "sparse_categorical_crossentropy")
    acc.update_state(LABELS[:3], probs[:3])
    acc.update_state(LABELS[3:], probs[3:])
    assert acc.result() == pytest.approx(np.mean(probs.argmax(1) == LABELS))
    top2 = wg.metrics.SparseTopKCategoricalAccuracy(k=2)  # integer labels: the sparse one, as in Keras
    top2.update_state(LABELS, probs)
    ranks = (probs > probs[np.arange(6), LABELS][:, None]).sum(1)
    assert top2.result() == pytest.approx(np.mean(ranks < 2)) and top2.name == "sparse_top_k_categorical_accuracy"
    onehot_top2 = wg.metrics.TopKCategoricalAccuracy(k=2)
    onehot_top2.update_state(np.eye(4)[LABELS], probs)
    assert onehot_top2.result() == pytest.approx(top2.result()) and onehot_top2.name == "top_k_categorical_accuracy"
    cat = wg.metrics.get("accuracy", "categorical_crossentropy")
    cat.update_state(np.eye(4)[LABELS], probs)
    assert cat.result() == pytest.approx(acc.result())
    b = wg.metrics.get("binary_accuracy")
    b.update_state(np.array([1, 0, 1]), np.array([[0.9], [0.2], [0.3]]))
    assert b.result() == pytest.approx(2 / 3)


def test_top_k_metric_in_fit(blobs):
    x, y = blobs
    model = wg.Sequential([wg.layers.Input((5,)), wg.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", wg.metrics.SparseTopKCategoricalAccuracy(k=2)])
    h = model.fit(x, y, epochs=1, verbose=0)
    assert h.history["sparse_top_k_categorical_accuracy"][0] >= h.history["accuracy"][0]


@pytest.mark.parametrize("name", ["SparseCategoricalCrossentropy", "CategoricalCrossentropy", "BinaryCrossentropy",
                                  "MeanSquaredError"])
@pytest.mark.parametrize("weighted", [False, True])
def test_calling_a_loss_gives_keras_batch_loss(name: str, weighted: bool) -> None:
    """``loss(y_true, y_pred, sample_weight)`` is Keras's batch loss (sum over the batch / batch size);
    ``loss.call`` keeps the per-example values."""
    import os

    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(1)
    probs = rng.dirichlet(np.ones(3), size=6).astype(np.float32)
    if name == "SparseCategoricalCrossentropy":
        y = rng.integers(0, 3, 6)
    elif name == "BinaryCrossentropy":
        y, probs = rng.integers(0, 2, (6, 1)).astype(np.float32), probs[:, :1]
    else:
        y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 6)]
    sw = rng.uniform(0.5, 2.0, 6).astype(np.float32) if weighted else None
    ours = getattr(wg.losses, name)()
    got = float(np.asarray(ours(y, probs, sample_weight=sw).numpy()))
    want = float(np.asarray(getattr(keras.losses, name)()(y, probs, sample_weight=sw)))
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert ours.call(y, probs).shape == (6,)
