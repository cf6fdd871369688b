"""PyTorch's side of ``benchmarks/train_step.mjs``: one batch-64 SGD step, one thread, the bundle's weights.

    python benchmarks/train_step_torch.py --dir CACHE --model mlp|cnn [--runs 50] [--warmup 10]
        [--warmup-s 1] [--min-time-s 0.5] [--budget-s 60]

``CACHE`` is what ``benchmarks/make_train_bundles.py`` wrote. The model is rebuilt in PyTorch (CPU,
``torch.set_num_threads(1)``, one inter-op thread; the thread variables are set before torch loads)
with the initial weights read from the trainable bundle's bytes: Dense kernels ``[in, out]`` transposed
to ``Linear``'s ``[out, in]``, Conv2D HWIO kernels to OIHW, and the first Dense kernel after the CNN's
Flatten re-ordered from NHWC's (h, w, c) rows to NCHW's (c, h, w), so that every framework computes
the same function. The batch is fed NCHW (converted once, before timing: each framework gets its
native layout). The last layer gives logits to ``CrossEntropyLoss`` (the same softmax + cross-entropy
as the bundle's softmax output with ``sparse_categorical_crossentropy``).

A timed step is what a training loop does per batch: ``zero_grad``, forward, loss, ``backward``,
``SGD.step`` and the loss read back with ``.item()``. Prints one JSON line: the medians and the
losses of the first steps (the cross-check that the weights and the batch are the same).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

TORCH_PIN = "torch==2.13.0"


def read_bundle(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """model.json and its float32 tensors by name (offsets into the shards laid end to end)."""
    manifest = json.loads((path / "model.json").read_text())
    data = b"".join((path / s["file"]).read_bytes() for s in manifest["weights"]["shards"])
    tensors = {}
    for t in manifest["weights"]["tensors"]:
        n = int(np.prod(t["shape"], dtype=np.int64))
        tensors[t["name"]] = np.frombuffer(data, np.float32, count=n, offset=t["offset"]).reshape(t["shape"])
    return manifest, tensors


def build(name: str, manifest: dict[str, Any], tensors: dict[str, np.ndarray]) -> Any:
    """The torch model of ``name`` with the bundle's weights (see the module doc for the layouts)."""
    import torch
    from torch import nn

    names = manifest["training"]["trainable"]  # kernel, bias per layer, in layer order
    pairs = [(tensors[names[i]], tensors[names[i + 1]]) for i in range(0, len(names), 2)]
    if name == "mlp":
        mods: list[Any] = []
        for i, (k, _) in enumerate(pairs):
            mods.append(nn.Linear(k.shape[0], k.shape[1]))
            if i < len(pairs) - 1:
                mods.append(nn.ReLU())
        model = nn.Sequential(*mods)
        linears = [m for m in model if isinstance(m, nn.Linear)]
        convs: list[Any] = []
    elif name == "cnn":
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
        convs = [m for m in model if isinstance(m, nn.Conv2d)]
        linears = [m for m in model if isinstance(m, nn.Linear)]
    else:
        raise SystemExit(f"unknown model {name!r}")
    with torch.no_grad():
        for conv, (k, b) in zip(convs, pairs[: len(convs)], strict=True):
            conv.weight.copy_(torch.from_numpy(np.ascontiguousarray(k.transpose(3, 2, 0, 1))))
            conv.bias.copy_(torch.from_numpy(b.copy()))
        for j, (lin, (k, b)) in enumerate(zip(linears, pairs[len(convs):], strict=True)):
            if convs and j == 0:  # rows in NHWC flatten order (h, w, c) -> NCHW's (c, h, w)
                h, w, c = 5, 5, 64
                k = k.reshape(h, w, c, -1).transpose(2, 0, 1, 3).reshape(h * w * c, -1)
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(k.T)))
            lin.bias.copy_(torch.from_numpy(b.copy()))
    return model


def time_steps(step: Any, runs: int, warmup: int, warmup_s: float, min_time_s: float, budget_s: float,
               t_start: float) -> dict:
    """After the 3 cross-check steps (begun at ``t_start``): warm-up to at least ``warmup`` steps and
    ``warmup_s`` s (at most a quarter of the budget), then at least ``runs`` timed steps and
    ``min_time_s`` s (stopping after 3 past ``budget_s``); the same rule as ``train_step.mjs``."""
    i = 3
    while i < warmup or time.perf_counter() - t_start < warmup_s:
        if time.perf_counter() - t_start > budget_s / 4:
            break
        step()
        i += 1
    times: list[float] = []
    t0 = time.perf_counter()
    while len(times) < runs or time.perf_counter() - t0 < min_time_s:
        if len(times) >= 3 and time.perf_counter() - t0 > budget_s:
            break
        a = time.perf_counter()
        step()
        times.append((time.perf_counter() - a) * 1000)
    times.sort()
    return {"runs": len(times), "median_ms": float(np.median(times)),
            "p90_ms": float(np.quantile(times, 0.9)), "min_ms": times[0]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dir", type=Path, required=True)
    p.add_argument("--model", choices=("mlp", "cnn"), required=True)
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--warmup-s", type=float, default=1.0)
    p.add_argument("--min-time-s", type=float, default=0.5)
    p.add_argument("--budget-s", type=float, default=60.0)
    args = p.parse_args(argv)
    try:
        import torch
    except ImportError:
        print(json.dumps({"error": f"PyTorch is not installed: pip install {TORCH_PIN}"}))
        return 0
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    index = json.loads((args.dir / "train_bundles.json").read_text())
    info = index["models"][args.model]
    manifest, tensors = read_bundle(args.dir / info["bundle"])
    model = build(args.model, manifest, tensors)
    raw = (args.dir / info["batch"]).read_bytes()
    nx = int(np.prod(info["x_shape"]))
    x = np.frombuffer(raw, "<f4", count=nx).reshape(info["x_shape"])
    if x.ndim == 4:
        x = x.transpose(0, 3, 1, 2)  # NHWC -> NCHW, once
    xt = torch.from_numpy(np.array(x, order="C"))  # a writable copy
    yt = torch.from_numpy(np.frombuffer(raw, "<i4", offset=nx * 4).astype(np.int64))
    opt = torch.optim.SGD(model.parameters(), lr=index["learning_rate"])
    loss_fn = torch.nn.CrossEntropyLoss()

    def step() -> float:
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
        return loss.item()

    t_start = time.perf_counter()
    first = [step() for _ in range(3)]  # the cross-check: same weights, same batch
    r = time_steps(step, args.runs, args.warmup, args.warmup_s, args.min_time_s, args.budget_s, t_start)
    print(json.dumps({"label": f"PyTorch {torch.__version__} (CPU)", "version": torch.__version__,
                      "threads": torch.get_num_threads(), "first_losses": first, **r}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
