"""``webgrad federated serve|token|status``: run a federated server, enroll participants, watch a run.

    webgrad federated token --server-dir state --name alice       # prints a new token (shown once)
    webgrad federated serve --model bundle --rounds 10 --clients-per-round 3 --state-dir state --port 8080
    webgrad federated status http://127.0.0.1:8080
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import urllib.request
from typing import Any

__all__ = ["add_commands", "format_report"]

STRATEGIES = ("fedavg", "fedprox", "fedadam", "fedyogi", "fedadagrad")


def add_commands(sub: Any) -> None:
    """Adds ``federated`` (with ``serve``, ``token``, ``status``) to the ``webgrad`` subcommands."""
    f = sub.add_parser("federated", help="federated learning: serve a model to clients, issue tokens, status",
                       description="Federated learning over HTTP (docs/federated.md).")
    fs = f.add_subparsers(dest="federated_command", required=True)
    s = fs.add_parser("serve", help="run a federated server for a trainable bundle",
                      description="Serve rounds of federated training of a trainable bundle "
                                  "(wg.export(model, dir, trainable=True)).")
    s.add_argument("--model", required=True, metavar="BUNDLE_DIR", help="the trainable bundle (version 0)")
    s.add_argument("--rounds", type=int, required=True, help="rounds to run")
    s.add_argument("--clients-per-round", type=int, required=True, help="clients selected per round (K)")
    s.add_argument("--min-clients", type=int, help="fewest updates that close a round at its deadline (default K)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 picks a free one)")
    s.add_argument("--state-dir", help="checkpoints, published versions and tokens (a restart resumes from it)")
    s.add_argument("--strategy", choices=STRATEGIES, default="fedavg", help="aggregation (default fedavg)")
    s.add_argument("--server-lr", type=float, help="server learning rate of fedadam/fedyogi/fedadagrad")
    s.add_argument("--prox-mu", type=float, default=0.01, help="FedProx's mu (default 0.01)")
    s.add_argument("--epochs", type=int, default=1, help="local epochs per round (default 1)")
    s.add_argument("--batch-size", type=int, default=32, help="local batch size (default 32)")
    s.add_argument("--learning-rate", type=float, default=0.05, help="local SGD learning rate (default 0.05)")
    s.add_argument("--round-timeout", type=float, default=60.0, help="seconds a round waits (default 60)")
    s.add_argument("--seed", type=int, default=0, help="seed of the server's choices (default 0)")
    s.add_argument("--poll-ms", type=int, default=500, help="how often idle clients poll (default 500 ms)")
    dp = s.add_argument_group("differential privacy (DP-FedAvg)")
    dp.add_argument("--dp-noise", type=float, metavar="Z", help="noise multiplier z (enables DP)")
    clip = dp.add_mutually_exclusive_group()
    clip.add_argument("--clip-norm", type=float, metavar="C", help="fixed L2 clip norm of each update")
    clip.add_argument("--adaptive-clip", action="store_true", help="adaptive clipping (Andrew et al. 2021)")
    dp.add_argument("--target-quantile", type=float, default=0.5, help="adaptive: quantile to clip at (0.5)")
    dp.add_argument("--initial-clip", type=float, default=0.1, help="adaptive: initial clip norm (0.1)")
    dp.add_argument("--clip-learning-rate", type=float, default=0.2, help="adaptive: step of the norm (0.2)")
    dp.add_argument("--count-noise", type=float, metavar="Z_B",
                    help="adaptive: noise multiplier of the clipped count (default K/10; must exceed Z)")
    dp.add_argument("--total-clients", type=int, help="population size N (sampling rate K/N for the accountant)")
    dp.add_argument("--delta", type=float, default=1e-5, help="delta of the (epsilon, delta) guarantee (1e-5)")
    s.add_argument("--secure-agg", action="store_true", help="secure aggregation: the server sees only sums")
    s.add_argument("--linger", type=float, default=10.0,
                   help="seconds to keep answering 'done' after the last round (default 10)")
    s.set_defaults(func=cmd_serve)
    t = fs.add_parser("token", help="issue an enrollment token", description="Issue (or revoke) a client token; "
                      "the server stores only its sha256.")
    t.add_argument("--server-dir", required=True, help="the server's --state-dir")
    t.add_argument("--name", help="a name for the participant (default client-<n>)")
    t.add_argument("--revoke", metavar="NAME_OR_TOKEN", help="revoke instead of issuing")
    t.set_defaults(func=cmd_token)
    st = fs.add_parser("status", help="print a server's rounds", description="Print a federated server's status.")
    st.add_argument("url", help="the server's base URL, e.g. http://127.0.0.1:8080")
    st.add_argument("--json", action="store_true", help="print the raw JSON")
    st.set_defaults(func=cmd_status)


def _strategy(args: argparse.Namespace) -> Any:
    from webgrad.federated import strategies

    config: dict[str, Any] = {"name": args.strategy}
    if args.strategy == "fedprox":
        config["mu"] = args.prox_mu
    elif args.strategy != "fedavg" and args.server_lr is not None:
        config["learning_rate"] = args.server_lr
    return strategies.get(config)


def _dp(args: argparse.Namespace) -> Any:
    if args.dp_noise is None:
        if args.clip_norm is not None or args.adaptive_clip:
            raise ValueError("--clip-norm/--adaptive-clip need --dp-noise Z (the noise multiplier)")
        return None
    from webgrad.federated.dp import AdaptiveClipping, DPFedAvg

    if args.clip_norm is None and not args.adaptive_clip:
        raise ValueError("--dp-noise needs --clip-norm C or --adaptive-clip")
    adaptive = AdaptiveClipping(target_quantile=args.target_quantile, learning_rate=args.clip_learning_rate,
                                initial_norm=args.initial_clip, count_noise_multiplier=args.count_noise) \
        if args.adaptive_clip else None
    return DPFedAvg(args.dp_noise, args.clip_norm, adaptive=adaptive, delta=args.delta,
                    expected_clients_per_round=args.clients_per_round, total_clients=args.total_clients)


def format_report(report: dict[str, Any], rounds: int) -> str:
    """One progress line of a round report.

    >>> format_report({"round": 2, "participants": 3, "dropped": ["c-1"], "rejected": [], "loss": 0.5,
    ...                "accuracy": 0.8, "eval": None, "epsilon": 1.25, "seconds": 2.0}, 10)
    'round 2/10: 3 participants (1 dropped, 0 rejected), client loss 0.5000, accuracy 0.8000, epsilon 1.25, 2.0 s'
    """
    parts = [f"round {report['round']}/{rounds}: {report['participants']} participants "
             f"({len(report['dropped'])} dropped, {len(report['rejected'])} rejected)"]
    if report.get("loss") is not None:
        parts.append(f"client loss {report['loss']:.4f}")
    if report.get("accuracy") is not None:
        parts.append(f"accuracy {report['accuracy']:.4f}")
    if report.get("eval"):
        parts.append(f"eval accuracy {report['eval']['accuracy']:.4f}")
    if report.get("epsilon") is not None:
        parts.append(f"epsilon {report['epsilon']:.3g}")
    parts.append(f"{report['seconds']:.1f} s")
    return ", ".join(parts)


def cmd_serve(args: argparse.Namespace) -> int:
    from webgrad.federated.server import Server

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    server = Server(args.model, rounds=args.rounds, clients_per_round=args.clients_per_round,
                    min_clients=args.min_clients, strategy=_strategy(args), dp=_dp(args),
                    secure_aggregation=args.secure_agg,
                    settings={"epochs": args.epochs, "batchSize": args.batch_size, "learningRate": args.learning_rate},
                    round_timeout=args.round_timeout, checkpoint_dir=args.state_dir, seed=args.seed,
                    poll_after_ms=args.poll_ms,
                    on_round=lambda r: print(format_report(r, args.rounds), flush=True))
    url = server.run_in_thread(args.port, args.host)
    print(f"serving {url}/fl/v1: round {min(server.version + 1, args.rounds)} of {args.rounds}, "
          f"state in {server.store.root}", flush=True)
    try:
        while not server.done:
            time.sleep(0.2)
        print(f"done: version {server.version} in {server.store.version_dir(server.version)}", flush=True)
        time.sleep(args.linger)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from webgrad.federated.tokens import issue_token, revoke_token

    if args.revoke:
        count = revoke_token(args.server_dir, args.revoke)
        print(f"revoked {count} token(s)")
        return 0 if count else 1
    print(issue_token(args.server_dir, args.name))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    with urllib.request.urlopen(args.url.rstrip("/") + "/fl/v1/status", timeout=30) as response:
        status = json.loads(response.read())
    if args.json:
        json.dump(status, sys.stdout, indent=1)
        print()
        return 0
    state = "done" if status["done"] else f"running round {status['round']}"
    print(f"{state} of {status['rounds']}; version {status['version']}; {status['clients']} clients")
    for report in status["reports"]:
        print("  " + format_report(report, status["rounds"]))
    return 0
