"""A real federated run on this machine: the Python server (webgrad.federated.Server) and N Node.js
processes running the npm package's FederatedClient (js_runtime/src, wasm backend) train the digits MLP
with FedAvg, once with plain float32 updates and once with secure aggregation. Prints the wall-clock of
the run (all clients started → final version published), the mean round time, and the bytes each client
sends and receives per round (request/answer bodies as counted by the client: update, secure-aggregation
messages, task polls; model files), then the global accuracy on held-out digits.

    python benchmarks/federated_real.py                  # 20 clients, 5 rounds, both modes
    python benchmarks/federated_real.py --clients 10 --rounds 3 --modes plain

Never part of the test pass/fail; writes benchmarks/results/federated_real.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the run helpers the acceptance test uses

from federated_run import NodeClient, accuracy, digit_mlp_bundle, write_client_data  # noqa: E402


def run(mode: str, clients: int, rounds: int, hidden: int, root: Path) -> dict[str, Any]:
    """One run; its figures."""
    import webgrad as wg
    from webgrad.federated.server import Server

    (x, y), (xt, yt) = wg.datasets.digits()
    x = (x.reshape(len(x), -1) / 16).astype(np.float32)
    xt = (xt.reshape(len(xt), -1) / 16).astype(np.float32)
    bundle = digit_mlp_bundle(root / "global", hidden=hidden)
    shards = np.array_split(np.random.default_rng(0).permutation(len(x)), clients)
    files = [write_client_data(root / f"{i}.json", x[s], y[s]) for i, s in enumerate(shards)]
    tokens = [f"token-{i}" for i in range(clients)]
    server = Server(bundle, rounds=rounds, clients_per_round=clients, min_clients=max(2, clients - 2),
                    tokens=tokens, secure_aggregation=mode == "secagg", eval_data=(xt, yt),
                    settings={"epochs": 2, "batchSize": 16, "learningRate": 0.1}, round_timeout=120,
                    poll_after_ms=200, checkpoint_dir=root / "state")
    url = server.run_in_thread()
    started = time.perf_counter()
    nodes = [NodeClient(url, t, f) for t, f in zip(tokens, files, strict=True)]
    try:
        for node in nodes:
            node.wait_for("done", 600)
        wall = time.perf_counter() - started
        reports = [r for node in nodes for r in node.rounds()]
        status = server.status()
    finally:
        for node in nodes:
            node.close()
        server.stop()
    length = sum(int(np.prod(s)) for s in _trainable_shapes(bundle))
    return {
        "mode": mode, "clients": clients, "rounds": rounds, "trainableValues": length,
        "wallSeconds": wall,
        "meanRoundSeconds": float(np.mean([r["seconds"] for r in status["reports"]])),
        "bytesSentPerClientRound": float(np.mean([r["bytesSent"] for r in reports])),
        "bytesReceivedPerClientRound": float(np.mean([r["bytesReceived"] for r in reports if r["round"] > 1])),
        "bytesReceivedFirstRound": float(np.mean([r["bytesReceived"] for r in reports if r["round"] == 1])),
        "clientSecondsPerRound": float(np.mean([r["seconds"] for r in reports])),
        "participants": [r["participants"] for r in status["reports"]],
        "accuracy": accuracy(server.store.version_dir(rounds), xt, yt),
        "accuracyBefore": accuracy(bundle, xt, yt),
    }


def _trainable_shapes(bundle: Path) -> list[list[int]]:
    manifest = json.loads((bundle / "model.json").read_text(encoding="utf-8"))
    shapes = {t["name"]: t["shape"] for t in manifest["weights"]["tensors"]}
    return [shapes[n] for n in manifest["training"]["trainable"]]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--hidden", type=int, default=32, help="hidden units of the MLP (default 32: 2,410 values)")
    p.add_argument("--modes", default="plain,secagg")
    p.add_argument("--output", default=str(REPO / "benchmarks" / "results" / "federated_real.json"))
    args = p.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    results = []
    for mode in args.modes.split(","):
        with tempfile.TemporaryDirectory(prefix="webgrad-fl-bench-") as tmp:
            r = run(mode, args.clients, args.rounds, args.hidden, Path(tmp))
        results.append(r)
        print(f"{mode:7s} {r['clients']} clients x {r['rounds']} rounds ({r['trainableValues']} values): "
              f"wall {r['wallSeconds']:.1f} s, round {r['meanRoundSeconds']:.2f} s, "
              f"sent {r['bytesSentPerClientRound'] / 1024:.1f} KiB/client/round, "
              f"received {r['bytesReceivedPerClientRound'] / 1024:.1f} KiB (first round "
              f"{r['bytesReceivedFirstRound'] / 1024:.1f} KiB), accuracy {r['accuracyBefore']:.3f} -> "
              f"{r['accuracy']:.3f}", flush=True)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": platform.processor() or platform.machine(),
                               "python": platform.python_version(), "results": results}, indent=1),
                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
