"""``webgrad federated token|serve|status``: tokens are issued (stored hashed) and revoked; ``serve`` runs a
whole run with Python clients and prints one progress line per round; ``status`` prints the reports;
bad option combinations are refused with a message naming the option."""

from __future__ import annotations

import json
import re
import threading
import time

import numpy as np
import pytest

pytest.importorskip("flask")

from federated_run import digit_mlp_bundle

import webgrad as wg
from webgrad.cli import main
from webgrad.federated.client import Client
from webgrad.federated.tokens import token_hash


def test_token_issue_and_revoke(tmp_path, capsys):
    assert main(["federated", "token", "--server-dir", str(tmp_path), "--name", "alice"]) == 0
    token = capsys.readouterr().out.strip()
    stored = json.loads((tmp_path / "tokens.json").read_text())["tokens"]
    assert list(stored) == [token_hash(token)] and stored[token_hash(token)]["name"] == "alice"
    assert token not in (tmp_path / "tokens.json").read_text()
    assert main(["federated", "token", "--server-dir", str(tmp_path), "--revoke", "alice"]) == 0
    assert "revoked 1" in capsys.readouterr().out
    assert main(["federated", "token", "--server-dir", str(tmp_path), "--revoke", "bob"]) == 1


@pytest.mark.parametrize("extra, message", [
    (["--clip-norm", "1"], "--dp-noise"),
    (["--dp-noise", "1"], "--clip-norm C or --adaptive-clip"),
    (["--dp-noise", "0.5", "--adaptive-clip"], "count noise multiplier"),
    (["--dp-noise", "0.5", "--adaptive-clip", "--count-noise", "0.4"], "must exceed noise_multiplier=0.5"),
    (["--clients-per-round", "3", "--min-clients", "4"], "min_clients"),
])
def test_serve_refuses_incomplete_dp_options(tmp_path, capsys, extra, message):
    bundle = digit_mlp_bundle(tmp_path / "v0", hidden=4)
    argv = ["federated", "serve", "--model", str(bundle), "--rounds", "1", "--clients-per-round", "2", "--port", "0"]
    assert main(argv + extra) == 2
    assert message in capsys.readouterr().err


def test_serve_runs_rounds_prints_progress_and_status_reports_them(tmp_path, capsys):
    bundle = digit_mlp_bundle(tmp_path / "v0", hidden=8)
    state = tmp_path / "state"
    tokens = []
    for name in ("a", "b"):
        main(["federated", "token", "--server-dir", str(state), "--name", name])
        tokens.append(capsys.readouterr().out.strip())
    port_file = {}

    def serve():
        from webgrad.federated import server as server_mod

        original = server_mod.Server.run_in_thread

        def remember(self, port=0, host="127.0.0.1"):
            port_file["url"] = original(self, port, host)
            return port_file["url"]

        server_mod.Server.run_in_thread = remember
        try:
            port_file["rc"] = main(["federated", "serve", "--model", str(bundle), "--rounds", "2",
                                    "--clients-per-round", "2", "--port", "0", "--state-dir", str(state),
                                    "--poll-ms", "50", "--linger", "1.5", "--batch-size", "16",
                                    "--learning-rate", "0.1", "--dp-noise", "1.0", "--clip-norm", "5"])
        finally:
            server_mod.Server.run_in_thread = original

    thread = threading.Thread(target=serve)
    thread.start()
    while "url" not in port_file:
        time.sleep(0.05)
    url = port_file["url"]
    (x, y), _ = wg.datasets.digits()
    x = x[:300].reshape(-1, 64) / np.float32(16)
    clients = [threading.Thread(target=Client(url, t).run, args=(x[i::2], y[:300][i::2])) for i, t in enumerate(tokens)]
    for c in clients:
        c.start()
    for c in clients:
        c.join(60)
    time.sleep(0.3)  # the last round's line is printed once the round is checkpointed
    assert main(["federated", "status", url]) == 0
    thread.join(30)
    assert port_file["rc"] == 0
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if re.match(r"round \d/2: ", ln)]
    assert lines[0].startswith("round 1/2: 2 participants (0 dropped, 0 rejected), client loss ")
    assert "epsilon" in lines[0] and lines[1].startswith("round 2/2: 2 participants")
    assert "done of 2; version 2; 2 clients" in out and f"done: version 2 in {state}" in out


def test_status_json(tmp_path, capsys):
    from webgrad.federated.server import Server

    server = Server(digit_mlp_bundle(tmp_path / "v0", hidden=4), rounds=1, clients_per_round=1)
    url = server.run_in_thread()
    try:
        assert main(["federated", "status", url, "--json"]) == 0
    finally:
        server.stop()
    status = json.loads(capsys.readouterr().out)
    assert status == {"round": 1, "rounds": 1, "version": 0, "done": False, "clients": 0, "reports": []}


def test_serve_options_build_the_strategy_and_dp_they_name():
    from webgrad.cli import build_parser
    from webgrad.federated.cli import _dp, _strategy

    args = build_parser().parse_args([
        "federated", "serve", "--model", "m", "--rounds", "5", "--clients-per-round", "10", "--strategy", "fedyogi",
        "--server-lr", "0.03", "--dp-noise", "0.8", "--adaptive-clip", "--initial-clip", "0.3",
        "--target-quantile", "0.7", "--count-noise", "2.0", "--total-clients", "100", "--delta", "1e-3"])
    strategy, dp = _strategy(args), _dp(args)
    assert strategy.get_config() == {"name": "FedYogi", "learning_rate": 0.03, "beta_1": 0.9, "beta_2": 0.99,
                                     "tau": 1e-3}
    assert dp.get_config() == {"noise_multiplier": 0.8, "clip_norm": None, "delta": 1e-3,
                               "expected_clients_per_round": 10, "total_clients": 100,
                               "adaptive": {"target_quantile": 0.7, "learning_rate": 0.2, "initial_norm": 0.3,
                                            "count_noise_multiplier": 2.0}}
    prox = build_parser().parse_args(["federated", "serve", "--model", "m", "--rounds", "1", "--clients-per-round",
                                      "2", "--strategy", "fedprox", "--prox-mu", "0.1"])
    assert _strategy(prox).client_settings() == {"proxMu": 0.1}
