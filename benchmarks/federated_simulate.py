"""Federated simulation benchmarks on MNIST (``webgrad.federated.simulate``), after McMahan et al. 2017
and McMahan et al. 2018 (DP-FedAvg).

One command, four parts (``--parts`` picks some):

- ``iid``: the CNN, 100 IID clients, C = 0.1 (10 per round), E = 5, B = 10: the rounds until the test
  accuracy first reaches ``--target`` (99% in the paper's setting; McMahan et al. report about 20);
- ``noniid``: the same with pathological non-IID clients (2 label shards each): the accuracy curve;
- ``dp``: DP-FedAvg with 1,000 clients, 100 per round, fixed clipping: test accuracy against ε (δ = 1e-5)
  for several noise multipliers;
- ``throughput``: client updates per second, numpy backend against jax, on the same round.

The full paper scale needs a GPU or many cores; ``--train-examples``, ``--rounds``, ``--eval-examples``,
``--model`` and the per-part options scale it down for a small machine. Prints one JSON line per round
and a summary table per part; ``--json FILE`` writes everything.

    python3 benchmarks/federated_simulate.py --parts iid --rounds 30                      # the paper's IID run
    python3 benchmarks/federated_simulate.py --train-examples 6000 --rounds 5 --model small  # a quick look
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from typing import Any

import numpy as np

import webgrad as wg
from webgrad.federated import partition
from webgrad.federated.dp import DPFedAvg
from webgrad.federated.simulate import simulate

# dp-accounting logs (through absl) every Rényi order it skips for a small noise multiplier
logging.getLogger("absl").setLevel(logging.ERROR)


def make_model(kind: str) -> Any:
    """McMahan et al.'s CNN (two 5x5 convolutions of 32 and 64 channels with 2x2 max pooling, a 512-unit
    dense layer, softmax; 1.66M parameters), or ``small`` (8 and 16 channels, 64 units) for small machines."""
    c1, c2, d = (32, 64, 512) if kind == "cnn" else (8, 16, 64)
    wg.layers.clear_session()
    wg.set_seed(0)
    m = wg.Sequential([
        wg.layers.Input((28, 28, 1)),
        wg.layers.Conv2D(c1, 5, padding="same", activation="relu"), wg.layers.MaxPooling2D(2),
        wg.layers.Conv2D(c2, 5, padding="same", activation="relu"), wg.layers.MaxPooling2D(2),
        wg.layers.Flatten(), wg.layers.Dense(d, activation="relu"), wg.layers.Dense(10, activation="softmax"),
    ])
    m.compile(loss="sparse_categorical_crossentropy")
    return m


def load(train_examples: int, eval_examples: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    (x, y), (xt, yt) = wg.datasets.mnist()
    x = (x[:train_examples, :, :, None] / np.float32(255)).astype(np.float32)
    xt = (xt[:eval_examples, :, :, None] / np.float32(255)).astype(np.float32)
    return x, y[:train_examples].astype(np.int32), xt, yt[:eval_examples].astype(np.int32)


def log_round(part: str) -> Any:
    def on_round(rec: dict) -> None:
        print(json.dumps({"part": part, **{k: round(v, 5) if isinstance(v, float) else v for k, v in rec.items()}}),
              flush=True)

    return on_round


def run_curve(args: argparse.Namespace, data: tuple, split: str) -> dict:
    x, y, xt, yt = data
    parts = partition.iid(y, args.clients, seed=0) if split == "iid" else \
        partition.pathological_non_iid(y, args.clients, shards_per_client=2, seed=0)
    clients = [(x[p], y[p]) for p in parts]
    model = make_model(args.model)
    reached: list[int] = []

    def on_round(rec: dict) -> bool:
        log_round(split)(rec)
        if rec["accuracy"] >= args.target and not reached:
            reached.append(rec["round"])
        return bool(reached) and split == "iid" and args.stop_at_target

    start = time.perf_counter()
    h = simulate(model, clients, rounds=args.rounds, clients_per_round=max(1, round(args.fraction * args.clients)),
                 local_epochs=args.local_epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
                 eval_data=(xt, yt), backend=args.backend, seed=args.seed, on_round=on_round)
    return {"split": split, "rounds_run": len(h.rounds), "rounds_to_target": reached[0] if reached else None,
            "accuracy": h.history["accuracy"], "seconds": time.perf_counter() - start}


def run_dp(args: argparse.Namespace, data: tuple) -> list[dict]:
    x, y, xt, yt = data
    clients = [(x[p], y[p]) for p in partition.iid(y, args.dp_clients, seed=0)]
    rows = []
    for z in args.dp_noise:
        # z = 0: the same run without clipping or noise, the baseline
        dp = DPFedAvg(z, clip_norm=args.dp_clip, delta=1e-5, expected_clients_per_round=args.dp_per_round,
                      total_clients=args.dp_clients) if z > 0 else None
        model = make_model(args.model)
        h = simulate(model, clients, rounds=args.dp_rounds, clients_per_round=args.dp_per_round,
                     local_epochs=args.dp_local_epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
                     eval_data=(xt, yt), backend=args.backend, seed=args.seed, dp=dp, on_round=log_round(f"dp z={z}"))
        rows.append({"noise_multiplier": z, "rounds": len(h.rounds),
                     "epsilon": h.history["epsilon"][-1] if dp is not None else float("inf"),
                     "accuracy": h.history["accuracy"][-1]})
    return rows


def run_throughput(args: argparse.Namespace, data: tuple) -> list[dict]:
    x, y, _, _ = data
    clients = [(x[p], y[p]) for p in partition.iid(y, args.clients, seed=0)]
    k = max(1, round(args.fraction * args.clients))
    rows = []
    for backend in ("numpy", "jax"):
        model = make_model(args.model)
        kw = {"clients_per_round": k, "local_epochs": args.throughput_epochs, "batch_size": args.batch_size,
              "learning_rate": args.learning_rate, "backend": backend, "seed": args.seed}
        if backend == "jax":
            simulate(model, clients, rounds=1, **kw)  # compiles
        # the CPU time of the process too: on a shared machine the wall clock counts other people's work
        start, cpu = time.perf_counter(), time.process_time()
        h = simulate(model, clients, rounds=args.throughput_rounds, **kw)
        secs, cpu = time.perf_counter() - start, time.process_time() - cpu
        n = k * len(h.rounds)
        rows.append({"backend": backend, "client_updates": n, "seconds": secs, "cpu_seconds": cpu,
                     "updates_per_s": n / secs, "updates_per_cpu_s": n / cpu})
        print(json.dumps({"part": "throughput", **rows[-1]}), flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--parts", default="iid,noniid,dp,throughput")
    p.add_argument("--model", choices=["cnn", "small"], default="cnn")
    p.add_argument("--backend", choices=["numpy", "jax"], default="jax")
    p.add_argument("--train-examples", type=int, default=60000)
    p.add_argument("--eval-examples", type=int, default=10000)
    p.add_argument("--clients", type=int, default=100)
    p.add_argument("--fraction", type=float, default=0.1, help="C: the fraction of clients per round")
    p.add_argument("--local-epochs", type=int, default=5, help="E")
    p.add_argument("--batch-size", type=int, default=10, help="B")
    p.add_argument("--learning-rate", type=float, default=0.05)
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--target", type=float, default=0.99)
    p.add_argument("--stop-at-target", action="store_true")
    p.add_argument("--dp-clients", type=int, default=1000)
    p.add_argument("--dp-per-round", type=int, default=100)
    p.add_argument("--dp-rounds", type=int, default=100)
    p.add_argument("--dp-local-epochs", type=int, default=1)
    p.add_argument("--dp-clip", type=float, default=1.0)
    p.add_argument("--dp-noise", type=float, nargs="+", default=[0.8, 1.2, 2.0],
                   help="noise multipliers z to run (0: no DP, the baseline)")
    p.add_argument("--throughput-rounds", type=int, default=1)
    p.add_argument("--throughput-epochs", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", help="write the results to this file")
    args = p.parse_args(argv)
    parts = [s.strip() for s in args.parts.split(",") if s.strip()]
    data = load(args.train_examples, args.eval_examples)
    results: dict[str, Any] = {"args": vars(args)}
    for part in parts:
        if part in ("iid", "noniid"):
            results[part] = run_curve(args, data, part)
            r = results[part]
            print(f"\n{part}: {r['rounds_run']} rounds, first >= {args.target:.2%} at round {r['rounds_to_target']}, "
                  f"final accuracy {r['accuracy'][-1]:.4f}, {r['seconds']:.0f} s\n", flush=True)
        elif part == "dp":
            results["dp"] = run_dp(args, data)
            print("\n| noise multiplier | rounds | ε (δ = 1e-5) | test accuracy |\n| --- | --- | --- | --- |")
            for row in results["dp"]:
                print(f"| {row['noise_multiplier']} | {row['rounds']} | {row['epsilon']:.2f} | {row['accuracy']:.4f} |")
        elif part == "throughput":
            results["throughput"] = run_throughput(args, data)
            print("\n| backend | client updates | wall s | CPU s | client updates/s (wall) | per CPU s |\n"
                  "| --- | --- | --- | --- | --- | --- |")
            for row in results["throughput"]:
                print(f"| {row['backend']} | {row['client_updates']} | {row['seconds']:.1f} | "
                      f"{row['cpu_seconds']:.1f} | {row['updates_per_s']:.3f} | {row['updates_per_cpu_s']:.3f} |")
        else:
            p.error(f"unknown part {part!r}; choose from iid, noniid, dp, throughput")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
