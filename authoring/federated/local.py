"""A client's local training (numpy backend): plain minibatch SGD from the global weights, as in
McMahan et al.'s ClientUpdate, optionally with FedProx's proximal term.

Each step on a batch ``b``: ``w ← w - lr·(∇L_b(w) + mu·(w - w_global))`` where ``L_b`` is the model's
compiled loss (the mean over the batch, plus regularization terms) and ``mu·(w - w_global)`` is the
gradient of FedProx's ``mu/2·||w - w_global||²`` (nothing when ``mu`` is 0). The batches are the ones
``batch_plan`` lists (a fresh permutation every epoch from ``seed``, the last batch of an epoch may be
smaller); the jax backend of ``simulate`` (``webgrad.federated.local_jax``) follows the same plan, so
both backends train the same steps.

>>> import webgrad as wg
>>> m = wg.Sequential([wg.layers.Input((3,)), wg.layers.Dense(2, activation="softmax")])
>>> m.compile(loss="sparse_categorical_crossentropy")
>>> x, y = np.ones((8, 3), np.float32), np.array([0, 1] * 4)
>>> r = train_local(m, x, y, epochs=1, batch_size=4, learning_rate=0.1, seed=0)
>>> r.num_examples, [d.shape for d in r.delta], sorted(r.metrics)
(8, [(3, 2), (2,)], ['accuracy', 'loss'])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from webgrad.autodiff import gradients


@dataclass
class LocalResult:
    """What a client sends back: its trained minus the global trainable weights (``delta``, in the
    model's ``trainable_weights`` order), its example count and its training metrics (the mean loss and
    accuracy over the steps it took, measured before each step's update)."""

    delta: list[np.ndarray]
    num_examples: int
    metrics: dict[str, float] = field(default_factory=dict)


def check_settings(epochs: int, batch_size: int, learning_rate: float, prox_mu: float) -> None:
    """``ValueError`` naming the local-training setting that is out of range."""
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    if not (isinstance(learning_rate, int | float) and math.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate!r}")
    if not (isinstance(prox_mu, int | float) and math.isfinite(prox_mu) and prox_mu >= 0):
        raise ValueError(f"prox_mu must be a finite number >= 0, got {prox_mu!r}")


def check_model(model: Any) -> None:
    """The model must be compiled with a loss (the optimizer is not used: clients run SGD)."""
    if getattr(model, "_loss_spec", None) is None:
        raise ValueError(f"model {getattr(model, 'name', '')!r} needs a loss: call model.compile(loss=...) "
                         "before federated training")
    if len(model.inputs or []) > 1 or len(model.outputs or []) > 1:
        raise ValueError("federated training supports models with one input and one output")


def batch_plan(n: int, epochs: int, batch_size: int, seed: int | None) -> list[np.ndarray]:
    """The example indices of every local step: per epoch a fresh permutation of ``range(n)`` from
    ``seed``, cut into batches of ``batch_size`` (the last one smaller).

    >>> plan = batch_plan(5, 1, 2, seed=0)
    >>> [len(b) for b in plan], sorted(np.concatenate(plan).tolist())
    ([2, 2, 1], [0, 1, 2, 3, 4])
    """
    rng = np.random.default_rng(seed)
    plan: list[np.ndarray] = []
    for _ in range(epochs):
        order = rng.permutation(n)
        plan.extend(order[i:i + batch_size] for i in range(0, n, batch_size))
    return plan


def correct_count(out: Any, y: Any, weights: Any = None, xp: Any = np) -> Any:
    """How many rows of ``out`` predict their label ``y`` (integer labels or one-hot; a single output
    column is a probability thresholded at 0.5), each row counted with its weight (1 when None).

    >>> float(correct_count(np.array([[0.9, 0.1], [0.2, 0.8]]), np.array([0, 0])))
    1.0
    """
    if out.shape[-1] == 1:
        pred = (out[:, 0] > 0.5).astype(np.int32)
        labels = y.reshape(-1)
    else:
        pred = xp.argmax(out, axis=-1)
        labels = xp.argmax(y, axis=-1) if y.ndim == 2 and y.shape[-1] == out.shape[-1] else y.reshape(-1)
    hits = (pred == labels.astype(pred.dtype)).astype(np.float32)
    return xp.sum(hits if weights is None else hits * weights)


def train_local(model: Any, x: np.ndarray, y: np.ndarray, *, epochs: int, batch_size: int, learning_rate: float,
                prox_mu: float = 0.0, seed: int | None = None) -> LocalResult:
    """Trains ``model`` from its current weights (the global model) on ``(x, y)`` with SGD, and returns
    the delta; the model's weights are left as they were.

    ``prox_mu`` > 0 adds FedProx's proximal term; ``seed`` fixes the batch order. The model must be
    compiled with a loss (``model.compile(loss=...)``); its optimizer is not used.
    """
    check_settings(epochs, batch_size, learning_rate, prox_mu)
    check_model(model)
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} examples but y has {len(y)}")
    variables = model.trainable_weights
    start = [np.array(w.data, copy=True) for w in variables]
    saved_state = [np.array(w.data, copy=True) for w in model.non_trainable_weights]
    lr, mu = np.float32(learning_rate), np.float32(prox_mu)
    loss_sum = correct = 0.0
    try:
        for idx in batch_plan(len(x), epochs, batch_size, seed):
            xb, yb = x[idx], y[idx]
            out = model._forward([xb], training=True)[0]
            total = model.compute_loss(xb, yb, out)
            loss = float(np.asarray(total.data))
            if not math.isfinite(loss):
                raise FloatingPointError(f"local training diverged: the loss is {loss} (lower learning_rate)")
            loss_sum += loss * len(idx)
            correct += float(correct_count(np.asarray(out.data), yb))
            for w, g, w0 in zip(variables, gradients(total, variables), start, strict=True):
                step = np.asarray(g, np.float32)
                if mu:
                    step = step + mu * (w.data - w0)
                w.data = (w.data - lr * step).astype(np.float32)
        delta = [np.asarray(w.data, np.float32) - w0 for w, w0 in zip(variables, start, strict=True)]
    finally:
        for w, v in zip(variables + model.non_trainable_weights, start + saved_state, strict=True):
            w.data = v
    steps_seen = len(x) * epochs
    metrics = {"loss": loss_sum / steps_seen, "accuracy": correct / steps_seen} if steps_seen else {}
    return LocalResult(delta, len(x), metrics)
