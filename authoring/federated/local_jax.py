"""The clients of a round trained together on the jax backend: ``train_local``'s SGD (with FedProx's
term) as one XLA program, ``jax.vmap``-ed over the clients and sharded over the devices.

The whole local run of one client is a ``lax.scan`` over its steps; each step runs the model's own
layers and losses through the op lowerings (``JaxSteps._mean_loss``, the function the jax backend's
``fit`` differentiates). Clients hold different numbers of examples and steps, so every client's data is
padded to the same ``(examples, steps, batch)`` shape: padding rows carry weight 0 in the loss (a short
batch is the same mean as on numpy) and a step made only of padding leaves the weights as they are.
The batch order is ``batch_plan``'s, so the result equals ``train_local`` on numpy up to float32
rounding. The client axis is sharded over a 1-D mesh of every device (``sharding.DataParallel``; after
``jax.distributed.initialize``, every host's devices); it is padded to a multiple of the device count with
clients that take no step. (BatchNormalization's batch statistics would see padding rows: its state is not
federated anyway.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad.federated.local import LocalResult, batch_plan, check_model, check_settings, correct_count


class JaxClients:
    """Trains many clients of ``model`` at once; ``train`` takes the global weights and the clients' data."""

    def __init__(self, model: Any, devices: list[Any] | None = None):
        import jax

        from webgrad.backends.jax_steps import JaxSteps

        check_model(model)
        self.model = model
        self.steps = JaxSteps(model, devices=devices)
        self.par = self.steps.par
        # results replicated: every process of a multi-host run can read all the clients' deltas
        self._jit = jax.jit(jax.vmap(self._client, in_axes=(None, None, 0, 0, 0, 0, 0, 0, None, None)),
                            out_shardings=self.par.replicated)

    def _client(self, params: list, state: list, x: Any, y: Any, idx: Any, w: Any, active: Any, key: Any,
                lr: Any, mu: Any) -> tuple:
        """One client's whole local run: returns (delta, Σ loss·batch size, Σ correct)."""
        import jax
        import jax.numpy as jnp

        key = jax.random.wrap_key_data(key)
        grad_fn = jax.value_and_grad(self.steps._mean_loss, has_aux=True)

        def step(carry: tuple, inp: tuple) -> tuple:
            p, s = carry
            i, wb, a, t = inp
            xb, yb = x[i], y[i]
            # a step of padding only computes on real rows (weight 1) and is then thrown away
            (loss, (new_s, outs, _)), grads = grad_fn(p, s, [xb], [yb], jnp.where(a, wb, 1.0), None,
                                                      jax.random.fold_in(key, t))
            new_p = [v - lr * (g + mu * (v - v0)) for v, g, v0 in zip(p, grads, params, strict=True)]
            p = [jnp.where(a, n, o) for n, o in zip(new_p, p, strict=True)]
            s = [jnp.where(a, n, o) for n, o in zip(new_s, s, strict=True)]
            return (p, s), (loss * jnp.sum(wb), correct_count(outs[0], yb, wb, xp=jnp))

        (trained, _), (losses, correct) = jax.lax.scan(step, (params, state),
                                                       (idx, w, active, jnp.arange(idx.shape[0])))
        return [v - v0 for v, v0 in zip(trained, params, strict=True)], jnp.sum(losses), jnp.sum(correct)

    def train(self, global_weights: list[np.ndarray], clients: list[tuple[np.ndarray, np.ndarray]], *,
              epochs: int, batch_size: int, learning_rate: float, prox_mu: float = 0.0,
              seeds: list[int | None] | None = None, pad_to: tuple[int, int] | None = None) -> list[LocalResult]:
        """``train_local`` for every client in ``clients`` (``(x, y)`` pairs) from ``global_weights``.

        ``pad_to=(examples, steps)`` pads every call to the same shapes (so one compiled program serves
        every round); by default the largest client of this call sets them."""
        import jax

        check_settings(epochs, batch_size, learning_rate, prox_mu)
        seeds = seeds if seeds is not None else [None] * len(clients)
        plans = [batch_plan(len(x), epochs, batch_size, s) for (x, _), s in zip(clients, seeds, strict=True)]
        n_max = max([len(x) for x, _ in clients] + [1])
        s_max = max([len(p) for p in plans] + [1])
        if pad_to is not None:
            n_max, s_max = max(n_max, pad_to[0]), max(s_max, pad_to[1])
        count = -(-len(clients) // self.par.size) * self.par.size
        x0, y0 = np.asarray(clients[0][0]), np.asarray(clients[0][1])
        xs = np.zeros((count, n_max, *x0.shape[1:]), x0.dtype)
        ys = np.zeros((count, n_max, *y0.shape[1:]), y0.dtype)
        idx = np.zeros((count, s_max, batch_size), np.int32)
        w = np.zeros((count, s_max, batch_size), np.float32)
        active = np.zeros((count, s_max), bool)
        for c, ((x, y), plan) in enumerate(zip(clients, plans, strict=True)):
            xs[c, :len(x)], ys[c, :len(y)] = x, y
            for s, b in enumerate(plan):
                idx[c, s, :len(b)], w[c, s, :len(b)], active[c, s] = b, 1.0, True
        keys = np.stack([np.asarray(jax.random.key_data(jax.random.key(int(s or 0) % 2**31)))
                         for s in seeds + [0] * (count - len(clients))])
        params = self.par.replicate([np.asarray(v, np.float32) for v in global_weights])
        state = self.par.replicate([np.asarray(v.data) for v in self.model.non_trainable_weights])
        data = self.par.batch([xs, ys, idx, w, active, keys])
        deltas, losses, correct = self._jit(params, state, *data, np.float32(learning_rate), np.float32(prox_mu))
        deltas = [np.asarray(d) for d in deltas]
        losses, correct = np.asarray(losses), np.asarray(correct)
        out = []
        for c, (x, _) in enumerate(clients):
            seen = len(x) * epochs
            metrics = {"loss": float(losses[c]) / seen, "accuracy": float(correct[c]) / seen} if seen else {}
            out.append(LocalResult([d[c] for d in deltas], len(x), metrics))
        return out

    def predict(self, weights: list[np.ndarray], x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        """The model's outputs on ``x`` with the trainable weights ``weights`` (jitted, sharded)."""
        self.steps.params = self.par.replicate([np.asarray(v, np.float32) for v in weights])
        self.steps.state = self.par.replicate([np.asarray(v.data) for v in self.model.non_trainable_weights])
        return np.concatenate([self.steps.predict([x[i:i + batch_size]])[0] for i in range(0, len(x), batch_size)])
