"""The jax backend's per-batch work for ``fit`` / ``evaluate`` / ``predict``: jitted XLA programs.

Parameters, non-trainable state (BatchNormalization statistics) and optimizer slots are pytrees (lists
in ``model.trainable_weights`` / ``non_trainable_weights`` order), replicated over the devices; each
batch is sharded over them (``sharding.DataParallel``). ``jax.jit`` compiles one train step per batch
shape. The step runs the model's own layers and losses through the op lowerings (``jax_trace``), takes
gradients with ``jax.grad`` (per example with ``jax.vmap`` for DP-SGD) and applies the optimizer's own
update rule. The training loop itself (epochs, shuffling, metrics, callbacks, progress) is the one in
``webgrad.training``, shared with the numpy backend.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from webgrad import privacy
from webgrad import random as wg_random
from webgrad.backends.jax_trace import all_layers, bound, check_lowerings, lowered
from webgrad.backends.sharding import DataParallel
from webgrad.raw_ops import no_grad
from webgrad.tensor import Tensor

MIXED_PRECISION = {None: None, "float32": None, "bfloat16": jnp.bfloat16}


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


def _host(a: Any) -> np.ndarray:
    # a writable copy: the numpy optimizer updates weights in place
    return np.array(a)


class JaxSteps:
    """Runs batches of ``model`` as jitted XLA programs over all devices (or ``devices``)."""

    def __init__(self, model: Any, mixed_precision: str | None = None, devices: list[Any] | None = None):
        if mixed_precision not in MIXED_PRECISION:
            raise ValueError(f"mixed_precision must be one of {[k for k in MIXED_PRECISION if k]} or None, "
                             f"got {mixed_precision!r}")
        check_lowerings(model)
        self.model = model
        self.par = DataParallel(devices)
        self.compute_dtype = MIXED_PRECISION[mixed_precision]
        self._dropout = any(type(la).__name__ == "Dropout" or hasattr(la, "random_source") for la in all_layers(model))
        self._key: Any = None
        self._train_jits: dict[Any, Any] = {}
        out = self.par.replicated
        self._eval_jit = jax.jit(self._eval_fn, out_shardings=out)
        self._predict_jit = jax.jit(self._predict_fn, out_shardings=out)
        self.params: Any = None
        self.state: Any = None
        self.slots: Any = None

    # ---- weights between host and devices ------------------------------------------------------
    def load_weights(self) -> None:
        """Copies the model's weights to the devices (they may have been set since the last step)."""
        m = self.model
        self.params = self.par.replicate([np.asarray(w.data) for w in m.trainable_weights])
        self.state = self.par.replicate([np.asarray(w.data) for w in m.non_trainable_weights])

    def load_slots(self) -> None:
        """Copies the optimizer's slots (zeros for a fresh optimizer) to the devices."""
        opt = self.model.optimizer
        slots = []
        for w in self.model.trainable_weights:
            s = opt._slots.get(id(w))
            slots.append({k: np.asarray(s[k]) if s else np.zeros_like(w.data) for k in opt.slot_names})
        self.slots = self.par.replicate(slots)

    def sync(self) -> None:
        """Writes weights (and optimizer slots) back into the model, as numpy arrays."""
        m = self.model
        for w, v in zip(m.trainable_weights, self.params, strict=True):
            w.data = _host(v)
        for w, v in zip(m.non_trainable_weights, self.state, strict=True):
            w.data = _host(v)
        if m.optimizer is not None and self.slots is not None:
            for w, s in zip(m.trainable_weights, self.slots, strict=True):
                m.optimizer._slots[id(w)] = {k: _host(v) for k, v in s.items()}

    # ---- the traced model -------------------------------------------------------------------------
    def _run(self, params: Any, state: Any, xs: list, key: Any, training: bool) -> tuple:
        """(outputs as Tensors, new state) of the model on one batch, traced."""
        m = self.model
        with lowered(self.compute_dtype), bound(m, params, state, key) as read_state:
            outs = m._forward([Tensor(x) for x in xs], training=training)
            return outs, read_state()

    def _losses(self, outs: list, ys: list, wts: Any, count: Any) -> tuple:
        """(total loss, [each output's unweighted loss or None]) as ``compute_loss`` computes them on
        numpy: each output's per-example loss times ``wts`` (sample weight, 0 on padding rows), summed
        over the ``count`` real rows, times its loss weight, plus the model's extra losses."""
        m = self.model
        with lowered(self.compute_dtype):
            vectors = m._loss_vectors(outs, ys)
            terms = [None if v is None else jnp.sum(_data(v) * wts) / count for v in vectors]
            total = sum(t * np.float32(w) for t, w in zip(terms, m.loss_weights, strict=True) if t is not None)
            extra = m._extra_losses()
        return (total if extra is None else total + _data(extra)), terms

    def _mean_loss(self, params: Any, state: Any, xs: list, ys: list, w: Any, sw: Any, key: Any) -> tuple:
        m = self.model
        with lowered(self.compute_dtype), bound(m, params, state, key) as read_state:
            outs = m._forward([Tensor(x) for x in xs], training=True)
            total, terms = self._losses(outs, ys, w if sw is None else w * sw, jnp.sum(w))
            return total, (read_state(), [_data(o) for o in outs], terms)

    def _grads(self, params: Any, state: Any, xs: list, ys: list, w: Any, sw: Any, key: Any) -> tuple:
        (loss, (new_state, outs, terms)), grads = jax.value_and_grad(self._mean_loss, has_aux=True)(
            params, state, xs, ys, w, sw, key)
        return loss, grads, new_state, outs, terms

    def _dp_grads(self, dp: privacy.DPConfig, params: Any, state: Any, xs: list, ys: list, w: Any, key: Any,
                  noise: list) -> tuple:
        def one(p: Any, x1: list, y1: list, k: Any) -> tuple:
            loss, (_, outs, terms) = self._mean_loss(p, state, [x[None] for x in x1], [y[None] for y in y1],
                                                     jnp.ones(1, jnp.float32), None, k)
            return loss, (outs, terms)

        keys = jax.random.split(key, w.shape[0])
        (losses, (outs, terms)), per_grads = jax.vmap(jax.value_and_grad(one, has_aux=True),
                                                      in_axes=(None, 0, 0, 0))(params, xs, ys, keys)
        clipped, _ = privacy.clip_per_example(per_grads, dp.l2_norm_clip)
        clipped = [g * w.reshape((-1,) + (1,) * (g.ndim - 1)) for g in clipped]  # padding adds nothing
        grads = privacy.noisy_mean(clipped, dp, noise=noise, count=jnp.sum(w))
        terms = [None if t is None else jnp.sum(t * w) / jnp.sum(w) for t in terms]
        return jnp.sum(losses * w) / jnp.sum(w), grads, state, [o[:, 0] for o in outs], terms

    def _train_fn(self, dp: privacy.DPConfig | None, params: Any, state: Any, slots: Any, xs: list, ys: list,
                  w: Any, sw: Any, key: Any, t: Any, h: dict, noise: Any) -> tuple:
        key = jax.random.fold_in(jax.random.wrap_key_data(key), t)  # a fresh key per step, inside the program
        if dp is None:
            loss, grads, new_state, outs, terms = self._grads(params, state, xs, ys, w, sw, key)
        else:
            loss, grads, new_state, outs, terms = self._dp_grads(dp, params, state, xs, ys, w, key, noise)
        opt = self.model.optimizer
        new_params, new_slots = [], []
        for p, g, s in zip(params, grads, slots, strict=True):
            p, s = opt.update(p, g, dict(s), h)
            new_params.append(p)
            new_slots.append(s)
        return new_params, new_state, new_slots, loss, terms, outs

    def _eval_fn(self, params: Any, state: Any, xs: list, ys: list, w: Any, sw: Any) -> tuple:
        m = self.model
        # as on numpy: evaluation records no graph; the losses read the bound weights (regularizers)
        with no_grad(), lowered(self.compute_dtype), bound(m, params, state, None):
            outs = m._forward([Tensor(x) for x in xs], training=False)
            total, terms = self._losses(outs, ys, w if sw is None else w * sw, jnp.sum(w))
            return total, terms, [_data(o) for o in outs]

    def _predict_fn(self, params: Any, state: Any, xs: list) -> list:
        with no_grad():
            return [_data(o) for o in self._run(params, state, xs, None, training=False)[0]]

    # ---- per batch (host side) ----------------------------------------------------------------------
    def _base_key(self) -> Any:
        if self._key is None:
            # only a model with Dropout draws from the process-wide generator (as numpy's Dropout does)
            seed = int(wg_random.generator().integers(0, 2**31 - 1)) if self._dropout else 0
            self._key = self.par.replicate(jax.random.key_data(jax.random.key(seed)))
        return self._key

    def _train_jit(self, dp: privacy.DPConfig | None) -> Any:
        fn = self._train_jits.get(dp)
        if fn is None:
            def step(*args: Any) -> tuple:
                return self._train_fn(dp, *args)

            fn = self._train_jits[dp] = jax.jit(step, out_shardings=self.par.replicated)
        return fn

    def _batch(self, arrays: list[np.ndarray], sw: Any = None) -> tuple[list, Any, Any, int]:
        """The batch padded and sharded over the devices: (arrays, padding mask, sample weights or None, n)."""
        n = len(arrays[0])
        extra = [] if sw is None else [np.asarray(sw, np.float32).reshape(-1)]
        padded, w = self.par.padded([*arrays, *extra], n)
        data = self.par.batch(padded)
        return data[:len(arrays)], w, (data[-1] if extra else None), n

    def train(self, bx: list[np.ndarray], by: list[np.ndarray], sw: Any, dp: privacy.DPConfig | None,
              dp_rng: np.random.Generator | None) -> tuple[float, list[Any], list[np.ndarray]]:
        """One optimizer step on a batch; returns (loss, each output's loss or None, outputs); the
        per-output losses stay device scalars until a log reads them. A non-finite loss leaves the
        weights as they were."""
        m = self.model
        data, w, swd, n = self._batch([*bx, *by], sw)
        xs, ys = data[:len(bx)], data[len(bx):]
        t = m.optimizer.iterations + 1
        h = self.par.scalars(m.optimizer.scalars(t))
        noise = None
        if dp is not None:
            noise = self.par.scalars(privacy.draw_noise([tuple(v.shape) for v in self.params], dp, dp_rng))
        params, state, slots, loss, terms, outs = self._train_jit(dp)(
            self.params, self.state, self.slots, xs, ys, w, swd, self._base_key(), np.int32(t), h, noise)
        loss = float(loss)
        if math.isfinite(loss):
            self.params, self.state, self.slots = params, state, slots
            m.optimizer.iterations = t
        return loss, terms, [np.asarray(o)[:n] for o in outs]

    def evaluate(self, bx: list[np.ndarray], by: list[np.ndarray], sw: Any = None
                 ) -> tuple[float, list[Any], list[np.ndarray]]:
        """(loss, each output's loss or None, outputs) of a batch."""
        data, w, swd, n = self._batch([*bx, *by], sw)
        total, terms, outs = self._eval_jit(self.params, self.state, data[:len(bx)], data[len(bx):], w, swd)
        return float(total), terms, [np.asarray(o)[:n] for o in outs]

    def predict(self, bx: list[np.ndarray]) -> list[np.ndarray]:
        """The outputs of a batch."""
        xs, _, _, n = self._batch(bx)
        return [np.asarray(o)[:n] for o in self._predict_jit(self.params, self.state, xs)]
