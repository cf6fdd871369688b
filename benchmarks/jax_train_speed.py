"""Training throughput, numpy vs jax backend on this machine's CPU, and the jax backend's step-time
overhead against a hand-written ``jax.jit`` training step for the same model (target <= 1.1x).

    python benchmarks/jax_train_speed.py [--steps 300] [--cnn-steps 100] [--batch 128]

Synthetic MNIST-shaped data (throughput does not depend on the values). Each figure is the best of
three timed runs after a warm-up run (which also compiles). The hand-written step is plain jax.numpy:
the same layers, softmax cross-entropy and Adam (Keras form), one ``jax.jit`` over the whole update,
fed the same host batches and reading the loss back every step as ``fit`` does (for the progress bar
and the stop-on-NaN rule); the figure without that read-back is printed too. Writes
``benchmarks/results/jax_train_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

import webgrad as wg

OUT = Path(__file__).parent / "results" / "jax_train_speed.json"


def _data(shape: tuple, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.random((n, *shape), dtype=np.float32), rng.integers(0, 10, n).astype(np.int32)


def _fit_time(make, backend: str, x: np.ndarray, y: np.ndarray, batch: int) -> float:
    """Seconds per step of ``model.fit`` (best of 3, after a warm-up epoch)."""
    wg.set_seed(0)
    model = make()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], backend=backend)
    model.fit(x[: 4 * batch], y[: 4 * batch], batch_size=batch, epochs=1, verbose=0)  # compile / warm caches
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=True)
        best = min(best, time.perf_counter() - t0)
    return best / (len(x) // batch)


# ---- the hand-written jax step (no webgrad in the step) ------------------------------------------------


def _mlp_apply(p: list, x: jnp.ndarray) -> jnp.ndarray:
    h = jax.nn.relu(x @ p[0] + p[1])
    return h @ p[2] + p[3]


def _cnn_apply(p: list, x: jnp.ndarray) -> jnp.ndarray:
    def conv(x, w, b):
        y = jax.lax.conv_general_dilated(x, w, (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC"))
        return jax.nn.relu(y + b)

    def pool(x):
        return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")

    h = pool(conv(x, p[0], p[1]))
    h = pool(conv(h, p[2], p[3]))
    h = jax.nn.relu(h.reshape(h.shape[0], -1) @ p[4] + p[5])
    return h @ p[6] + p[7]


def _hand_step(apply):
    b1, b2, eps = 0.9, 0.999, 1e-7

    def loss_fn(p, x, y):
        logp = jax.nn.log_softmax(apply(p, x))
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    @jax.jit
    def step(p, m, v, t, x, y):
        loss, g = jax.value_and_grad(loss_fn)(p, x, y)
        lr_t = 1e-3 * jnp.sqrt(1 - b2**t) / (1 - b1**t)
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g, strict=True)]
        v = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g, strict=True)]
        p = [pi - lr_t * mi / (jnp.sqrt(vi) + eps) for pi, mi, vi in zip(p, m, v, strict=True)]
        return p, m, v, loss

    return step


def _hand_time(make, apply, x: np.ndarray, y: np.ndarray, batch: int, sync: bool) -> float:
    wg.set_seed(0)
    p = [jnp.asarray(w) for w in make().get_weights()]
    m = [jnp.zeros_like(w) for w in p]
    v = [jnp.zeros_like(w) for w in p]
    step = _hand_step(apply)
    steps = len(x) // batch
    rng = np.random.default_rng(0)

    def epoch(p, m, v, n_steps):
        order = rng.permutation(len(x))
        loss = None
        for i in range(n_steps):
            idx = order[i * batch:(i + 1) * batch]
            p, m, v, loss = step(p, m, v, np.float32(i + 1), x[idx], y[idx])
            if sync:
                float(loss)
        jax.block_until_ready(p)
        return p, m, v

    p, m, v = epoch(p, m, v, 4)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        p, m, v = epoch(p, m, v, steps)
        best = min(best, time.perf_counter() - t0)
    return best / steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=300, help="MLP steps per timed epoch")
    ap.add_argument("--cnn-steps", type=int, default=100, help="CNN steps per timed epoch")
    ap.add_argument("--batch", type=int, default=128)
    args = ap.parse_args()
    models = {
        "mlp_784_256_10": (lambda: wg.zoo.mnist_mlp(256), _mlp_apply, (784,), args.steps),
        "mnist_cnn": (wg.zoo.mnist_cnn, _cnn_apply, (28, 28, 1), args.cnn_steps),
    }
    rows = []
    for name, (make, apply, shape, steps) in models.items():
        x, y = _data(shape, steps * args.batch)
        t_np = _fit_time(make, "numpy", x, y, args.batch)
        t_jax = _fit_time(make, "jax", x, y, args.batch)
        t_hand = _hand_time(make, apply, x, y, args.batch, sync=True)
        t_hand_async = _hand_time(make, apply, x, y, args.batch, sync=False)
        rows.append({
            "model": name, "batch": args.batch, "steps": steps,
            "numpy_examples_per_s": args.batch / t_np, "jax_examples_per_s": args.batch / t_jax,
            "jax_vs_numpy_speedup": t_np / t_jax,
            "jax_step_ms": t_jax * 1e3, "hand_jit_step_ms": t_hand * 1e3, "hand_jit_async_step_ms": t_hand_async * 1e3,
            "overhead_vs_hand_jit": t_jax / t_hand, "overhead_vs_hand_jit_async": t_jax / t_hand_async,
        })
    print(f"{'model':16} {'numpy ex/s':>11} {'jax ex/s':>10} {'jax/numpy':>9} {'jax ms':>8} {'hand ms':>8} "
          f"{'overhead':>8} {'(async hand)':>12}")
    for r in rows:
        print(f"{r['model']:16} {r['numpy_examples_per_s']:11.0f} {r['jax_examples_per_s']:10.0f} "
              f"{r['jax_vs_numpy_speedup']:8.2f}x {r['jax_step_ms']:8.2f} {r['hand_jit_step_ms']:8.2f} "
              f"{r['overhead_vs_hand_jit']:7.2f}x {r['overhead_vs_hand_jit_async']:11.2f}x")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "device": f"CPU ({platform.processor() or platform.machine()}, {os.cpu_count()} cores), {jax.devices()[0]}",
        "jax": jax.__version__, "numpy": np.__version__, "target_overhead": 1.1, "results": rows,
    }, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
