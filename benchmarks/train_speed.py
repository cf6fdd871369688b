"""Training speed on MNIST: webgrad (numpy backend) against PyTorch on CPU, same model, batch, optimizer, threads.

    python benchmarks/train_speed.py [--epochs 1] [--threads 2] [--models mlp,cnn] [--frameworks webgrad,torch]
                                     [--limit N] [--warmup-batches 5] [--output PATH]

Each (framework, model) pair runs in its own Python process, started with OPENBLAS_NUM_THREADS,
OMP_NUM_THREADS and MKL_NUM_THREADS set to ``--threads`` before numpy or torch is imported (PyTorch also
gets ``torch.set_num_threads``), so runs do not disturb each other. Each run trains a few warm-up batches,
then times every epoch over the training set, then evaluates on the 10,000 test images. The table shows
seconds per epoch, examples per second and the ratio webgrad / PyTorch against the targets below; the same
figures go to ``benchmarks/results/train_speed.json`` with the machine's description.

This is a benchmark, never a test: it does not fail on a missed target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

MODELS = ("mlp", "cnn")
FRAMEWORKS = ("webgrad", "torch")
TARGETS = {"mlp": 1.5, "cnn": 2.5}  # webgrad seconds/epoch at most this many times PyTorch's
BATCH_SIZE = 128
LEARNING_RATE = 1e-3
TORCH_PIN = "torch==2.13.0"
TORCH_HINT = f"pip install {TORCH_PIN}  (or: pip install webgrad[bench]; that pin takes the CPU-only wheel)"
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "train_speed.json"
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
RESULT_PREFIX = "RESULT-JSON "


def _csv(choices: tuple[str, ...]):
    def parse(text: str) -> list[str]:
        items = [t.strip().lower() for t in text.split(",") if t.strip()]
        bad = [t for t in items if t not in choices]
        if bad or not items:
            raise argparse.ArgumentTypeError(f"choose from {', '.join(choices)} (comma-separated); got {text!r}")
        return items

    return parse


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=1, help="timed epochs per run (default 1)")
    p.add_argument("--threads", type=int, default=2, help="CPU threads for BLAS/OpenMP and torch (default 2)")
    p.add_argument("--models", type=_csv(MODELS), default=list(MODELS), help="mlp,cnn (default both)")
    p.add_argument("--frameworks", type=_csv(FRAMEWORKS), default=list(FRAMEWORKS), help="webgrad,torch (default both)")
    p.add_argument("--limit", type=int, default=None, help="use only the first N training examples (smoke run)")
    p.add_argument("--warmup-batches", type=int, default=5, help="untimed batches before timing (default 5)")
    p.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"JSON results (default {DEFAULT_OUTPUT})")
    p.add_argument("--worker", default=None, help=argparse.SUPPRESS)  # internal: "framework:model"
    args = p.parse_args(argv)
    if args.epochs < 1 or args.threads < 1 or args.warmup_batches < 0:
        p.error("--epochs and --threads must be >= 1, --warmup-batches >= 0")
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be >= 1")
    return args


# ------------------------------------------------------------------------------------------------
# Worker side: runs in a child process whose thread variables are already set.


def _load_mnist(model: str, limit: int | None, channels_last: bool):
    import numpy as np

    from webgrad import datasets

    (x_train, y_train), (x_test, y_test) = datasets.mnist()
    if limit is not None:
        x_train, y_train = x_train[:limit], y_train[:limit]

    def prep(x):
        x = x.astype(np.float32) / np.float32(255.0)
        if model == "mlp":
            return x.reshape(len(x), 784)
        return x[..., None] if channels_last else x[:, None]

    return prep(x_train), y_train.astype(np.int64), prep(x_test), y_test.astype(np.int64)


def _blas_threads() -> list[dict[str, Any]]:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return [
        {k: info.get(k) for k in ("internal_api", "num_threads", "version", "architecture")}
        for info in threadpool_info()
    ]


def run_webgrad(model_name: str, args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np

    import webgrad as wg

    np.random.seed(0)
    x, y, x_test, y_test = _load_mnist(model_name, args.limit, channels_last=True)
    L = wg.layers
    if model_name == "mlp":
        stack = [L.Input((784,)), L.Dense(256, activation="relu"), L.Dense(10, activation="softmax")]
    else:
        stack = [
            L.Input((28, 28, 1)),
            L.Conv2D(32, 3, activation="relu"),
            L.MaxPooling2D(2),
            L.Conv2D(64, 3, activation="relu"),
            L.MaxPooling2D(2),
            L.Flatten(),
            L.Dense(128, activation="relu"),
            L.Dense(10, activation="softmax"),
        ]
    model = wg.Sequential(stack)
    model.compile(
        optimizer=wg.optimizers.Adam(LEARNING_RATE), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )

    n_warm = min(len(x), args.warmup_batches * BATCH_SIZE)
    if n_warm:
        model.fit(x[:n_warm], y[:n_warm], batch_size=BATCH_SIZE, epochs=1, verbose=0)

    epoch_seconds, losses = [], []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        history = model.fit(x, y, batch_size=BATCH_SIZE, epochs=1, verbose=0)
        epoch_seconds.append(time.perf_counter() - t0)
        losses.append(float(history.history["loss"][-1]))

    t0 = time.perf_counter()
    test_loss, test_acc = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)[:2]
    eval_seconds = time.perf_counter() - t0
    return {
        "epoch_seconds": epoch_seconds,
        "train_loss": losses,
        "test_loss": float(test_loss),
        "test_accuracy": float(test_acc),
        "eval_seconds": eval_seconds,
        "n_train": len(x),
        "n_params": _count_params(model),
        "versions": {"webgrad": getattr(wg, "__version__", _dist_version("webgrad")), "numpy": np.__version__},
        "backend": "numpy",
        "blas_threads": _blas_threads(),
    }


def _count_params(model: Any) -> int | None:
    try:
        return int(model.count_params())
    except Exception:
        return None


def _dist_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def run_torch(model_name: str, args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np
    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x, y, x_test, y_test = _load_mnist(model_name, args.limit, channels_last=False)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    x_test, y_test = torch.from_numpy(x_test), torch.from_numpy(y_test)

    if model_name == "mlp":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    else:
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(64 * 5 * 5, 128),
            nn.ReLU(),
            nn.Linear(128, 10),
        )
    # Keras' defaults, so both sides start alike: Glorot-uniform kernels, zero biases.
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    # The last Linear gives logits; CrossEntropyLoss applies the softmax, as Keras' softmax + sparse CE does.
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)

    def train_batches(xs: torch.Tensor, ys: torch.Tensor, shuffle: bool) -> float:
        model.train()
        order = torch.randperm(len(xs)) if shuffle else torch.arange(len(xs))
        total, count = 0.0, 0
        for start in range(0, len(xs), BATCH_SIZE):
            idx = order[start : start + BATCH_SIZE]
            xb, yb = xs[idx], ys[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
            count += len(idx)
        return total / max(count, 1)

    n_warm = min(len(x), args.warmup_batches * BATCH_SIZE)
    if n_warm:
        train_batches(x[:n_warm], y[:n_warm], shuffle=False)

    epoch_seconds, losses = [], []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        losses.append(train_batches(x, y, shuffle=True))
        epoch_seconds.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    model.eval()
    with torch.no_grad():
        total_loss, correct = 0.0, 0
        for start in range(0, len(x_test), 1000):
            logits = model(x_test[start : start + 1000])
            yb = y_test[start : start + 1000]
            total_loss += float(loss_fn(logits, yb)) * len(yb)
            correct += int((logits.argmax(1) == yb).sum())
    eval_seconds = time.perf_counter() - t0
    return {
        "epoch_seconds": epoch_seconds,
        "train_loss": losses,
        "test_loss": total_loss / len(x_test),
        "test_accuracy": correct / len(x_test),
        "eval_seconds": eval_seconds,
        "n_train": len(x),
        "n_params": sum(p.numel() for p in model.parameters()),
        "versions": {"torch": torch.__version__, "numpy": np.__version__},
        "torch_threads": torch.get_num_threads(),
        "blas_threads": _blas_threads(),
    }


def worker_main(args: argparse.Namespace) -> int:
    framework, model = args.worker.split(":")
    try:
        result = (run_webgrad if framework == "webgrad" else run_torch)(model, args)
        result["ok"] = True
    except Exception as e:  # reported to the parent, which prints it and goes on
        import traceback

        traceback.print_exc()
        result = {"ok": False, "error": f"{type(e).__name__}: {e}"}
        if isinstance(e, ImportError) and e.name is not None and e.name.split(".")[0] in ("torch", "webgrad"):
            hint = TORCH_HINT if framework == "torch" else "pip install -e .  (from the repository root)"
            result["error"] = f"{e.name} is not importable ({e}). Install it with: {hint}"
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


# ------------------------------------------------------------------------------------------------
# Parent side: starts one worker per (framework, model), collects, prints, writes JSON.


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info(threads: int) -> dict[str, Any]:
    return {
        "cpu_model": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "threads": threads,
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def run_worker(framework: str, model: str, args: argparse.Namespace) -> dict[str, Any]:
    env = dict(os.environ)
    for var in THREAD_VARS:
        env[var] = str(args.threads)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", f"{framework}:{model}"]
    cmd += ["--epochs", str(args.epochs), "--threads", str(args.threads), "--warmup-batches", str(args.warmup_batches)]
    if args.limit is not None:
        cmd += ["--limit", str(args.limit)]
    print(f"running {framework} {model} ...", file=sys.stderr, flush=True)
    # The worker's stderr (warnings, tracebacks) goes straight to ours; its result comes on stdout.
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            result = json.loads(line[len(RESULT_PREFIX) :])
            if not result.get("ok"):
                print(f"  {framework} {model} failed: {result['error']}", file=sys.stderr)
            return result
    return {"ok": False, "error": f"worker exited with status {proc.returncode} and no result (see its stderr above)"}


def summarize(result: dict[str, Any]) -> dict[str, Any]:
    if not result.get("ok"):
        return result
    secs = result["epoch_seconds"]
    mean = sum(secs) / len(secs)
    result["seconds_per_epoch"] = mean
    result["examples_per_second"] = result["n_train"] / mean
    return result


def format_table(results: dict[str, dict[str, dict[str, Any]]], models: list[str]) -> str:
    head = ("model", "framework", "s/epoch", "examples/s", "test acc", "wg/torch", "target", "")
    rows: list[tuple[str, ...]] = []
    for model in models:
        per = results.get(model, {})
        ratio = _ratio(per)
        for fw, r in per.items():
            if r.get("ok"):
                cells = (
                    f"{r['seconds_per_epoch']:.2f}",
                    f"{r['examples_per_second']:,.0f}",
                    f"{r['test_accuracy']:.4f}",
                )
            else:
                cells = ("-", "-", "-")
            if fw == "webgrad" and ratio is not None:
                verdict = "ok" if ratio <= TARGETS[model] else "MISSED"
                extra = (f"{ratio:.2f}x", f"<= {TARGETS[model]}x", verdict)
            elif fw == "webgrad":
                extra = ("-", f"<= {TARGETS[model]}x", "")
            else:
                extra = ("", "", "")
            rows.append((model, fw, *cells, *extra))
    widths = [max(len(str(c)) for c in col) for col in zip(head, *rows, strict=True)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(head, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths).rstrip())
    for row in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _ratio(per: dict[str, dict[str, Any]]) -> float | None:
    wg, pt = per.get("webgrad", {}), per.get("torch", {})
    if wg.get("ok") and pt.get("ok"):
        return wg["seconds_per_epoch"] / pt["seconds_per_epoch"]
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker_main(args)

    results: dict[str, dict[str, dict[str, Any]]] = {}
    for model in args.models:
        for fw in args.frameworks:
            results.setdefault(model, {})[fw] = summarize(run_worker(fw, model, args))

    n_train = next((r["n_train"] for per in results.values() for r in per.values() if r.get("ok")), None)
    print()
    print(
        f"MNIST training, {n_train if n_train is not None else '?'} examples/epoch, batch {BATCH_SIZE}, "
        f"Adam {LEARNING_RATE:g}, {args.threads} thread(s), {args.epochs} timed epoch(s) after "
        f"{args.warmup_batches} warm-up batches; CPU: {cpu_model()}"
    )
    print(format_table(results, args.models))
    for per in results.values():
        for fw, r in per.items():
            if not r.get("ok"):
                print(f"note: {fw}: {r['error'].splitlines()[0]}")
    if args.limit is not None:
        print(f"note: --limit {args.limit}: a smoke run, not a full epoch over 60,000 examples")

    report = {
        "benchmark": "train_speed",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_info(args.threads),
        "config": {
            "epochs": args.epochs,
            "threads": args.threads,
            "limit": args.limit,
            "warmup_batches": args.warmup_batches,
            "batch_size": BATCH_SIZE,
            "optimizer": f"Adam({LEARNING_RATE:g})",
            "loss": "sparse_categorical_crossentropy",
            "models": args.models,
            "frameworks": args.frameworks,
        },
        "targets": {m: f"webgrad <= {t}x torch seconds/epoch" for m, t in TARGETS.items()},
        "results": results,
        "ratios": {m: _ratio(per) for m, per in results.items()},
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
