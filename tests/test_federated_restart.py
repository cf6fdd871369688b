"""A federated server killed (SIGKILL) between rounds and in the middle of a round resumes from its state
directory with nothing lost: the run publishes the same global weights, round for round, as an
uninterrupted run with the same seeds (FedAdam and DP-FedAvg, so the strategy's moments and the DP
state travel through the checkpoint; the mid-round kill lands after two of three updates were accepted,
which the journal of the open round keeps). The servers run as ``webgrad federated serve`` processes;
the clients are Python clients in threads. ~25 s on 2 cores (four server processes start)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("flask")

from federated_run import REPO, digit_mlp_bundle

import webgrad as wg
from webgrad.exporter.bundle_reader import read_bundle
from webgrad.federated.bundle_weights import trainable_vector
from webgrad.federated.client import Client
from webgrad.federated.tokens import issue_token

ROUNDS = 3


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Run:
    """A ``webgrad federated serve`` process on a fixed port and state directory, restartable."""

    def __init__(self, bundle, state, port):
        self.args = [sys.executable, "-m", "webgrad.cli", "federated", "serve", "--model", str(bundle),
                     "--rounds", str(ROUNDS), "--clients-per-round", "3", "--state-dir", str(state),
                     "--port", str(port), "--batch-size", "16", "--learning-rate", "0.1", "--round-timeout", "60",
                     "--poll-ms", "50", "--linger", "60", "--strategy", "fedadam", "--server-lr", "0.01",
                     "--dp-noise", "0.3", "--clip-norm", "2.0", "--total-clients", "30"]
        self.url, self.state, self.proc = f"http://127.0.0.1:{port}", Path(state), None

    def start(self):
        self.proc = subprocess.Popen(self.args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        give_up = time.monotonic() + 60
        while time.monotonic() < give_up:
            assert self.proc.poll() is None, self.proc.stdout.read().decode()
            try:
                urllib.request.urlopen(self.url + "/fl/v1/status", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server did not start")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.kill()

    def versions(self):
        return [trainable_vector(read_bundle(self.state / "model" / str(v))) for v in range(ROUNDS + 1)]


class Paused(Client):
    """A client whose steps the test can hold: ``hold_before_upload[round]`` blocks after training,
    before the update is sent; ``hold_after[round]`` blocks once the round's update was accepted."""

    def __init__(self, *args, hold_before_upload=None, **kwargs):
        super().__init__(*args, retry_for=120, **kwargs)
        self.hold_before_upload = hold_before_upload or {}

    def train(self, task, x, y):
        result = super().train(task, x, y)
        gate = self.hold_before_upload.get(task["round"])
        if gate is not None:
            gate.wait(120)
        return result


def start_clients(url, tokens, data, hold_after=None, hold_before_upload=None):
    (x, y) = data
    threads, errors, accepted = [], [], {t: [] for t in tokens}

    def one(i, token):
        def on_round(info):
            accepted[token].append(info["round"])
            gate = (hold_after or {}).get(info["round"])
            if gate is not None:
                gate.wait(120)

        try:
            Paused(url, token, hold_before_upload=(hold_before_upload or {}).get(token)).run(
                x[i::3], y[i::3], on_round=on_round)
        except Exception as e:  # pragma: no cover - reported by the test
            errors.append(e)

    for i, token in enumerate(tokens):
        threads.append(threading.Thread(target=one, args=(i, token), daemon=True))
        threads[-1].start()
    return threads, errors, accepted


def wait_for(condition, what, timeout=60):
    give_up = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < give_up, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("restart")
    bundle = digit_mlp_bundle(root / "v0", hidden=16)
    tokens_dir = root / "tokens"
    tokens = [issue_token(tokens_dir, name=f"c{i}") for i in range(3)]
    (x, y), _ = wg.datasets.digits()
    return root, bundle, tokens_dir, tokens, (x[:600].reshape(-1, 64) / np.float32(16), y[:600])


def new_run(setup, name):
    root, bundle, tokens_dir, _, _ = setup
    state = root / name
    state.mkdir()
    shutil.copy(tokens_dir / "tokens.json", state / "tokens.json")
    return Run(bundle, state, free_port())


@pytest.fixture(scope="module")
def uninterrupted(setup):
    run = new_run(setup, "reference")
    run.start()
    try:
        threads, errors, _ = start_clients(run.url, setup[3], setup[4])
        for t in threads:
            t.join(120)
        assert not errors, errors
    finally:
        run.stop()
    return run.versions()


def test_killed_between_rounds_and_mid_round_it_resumes_with_the_same_weights(setup, uninterrupted):
    tokens = setup[3]
    run = new_run(setup, "killed")
    after_round_1 = threading.Event()
    last_upload_of_round_2 = threading.Event()
    run.start()
    try:
        threads, errors, accepted = start_clients(run.url, tokens, setup[4], hold_after={1: after_round_1},
                                                  hold_before_upload={tokens[2]: {2: last_upload_of_round_2}})
        # between rounds: every client has its round-1 update accepted and is held before polling again
        wait_for(lambda: all(a == [1] for a in accepted.values()), "round 1")
        assert (run.state / "model" / "1" / "model.json").exists()
        run.kill()
        run.start()
        after_round_1.set()
        # mid-round: two updates of round 2 accepted (journaled), the third client holds its upload
        wait_for(lambda: sum(a == [1, 2] for a in accepted.values()) == 2, "two updates of round 2")
        assert len(list((run.state / "rounds" / "2").glob("*.npz"))) == 2
        run.kill()
        run.start()
        last_upload_of_round_2.set()
        for t in threads:
            t.join(120)
        assert not errors, errors
    finally:
        after_round_1.set()
        last_upload_of_round_2.set()
        run.stop()
    assert all(a == [1, 2, 3] for a in accepted.values()), accepted
    for version, (got, want) in enumerate(zip(run.versions(), uninterrupted, strict=True)):
        np.testing.assert_array_equal(got, want, err_msg=f"version {version}")
    assert np.abs(uninterrupted[3] - uninterrupted[0]).max() > 1e-3


def test_a_restart_with_another_model_or_settings_is_refused(setup, tmp_path):
    from webgrad.federated.server import Server

    state = tmp_path / "state"
    Server(setup[1], rounds=1, clients_per_round=1, checkpoint_dir=state)
    other = digit_mlp_bundle(tmp_path / "other", hidden=8)
    with pytest.raises(ValueError, match="another model"):
        Server(other, rounds=1, clients_per_round=1, checkpoint_dir=state)
    with pytest.raises(ValueError, match=r"strategy: .*'FedAdam'"):
        Server(setup[1], rounds=1, clients_per_round=1, checkpoint_dir=state, strategy="fedadam")
    from webgrad.federated.dp import DPFedAvg

    with pytest.raises(ValueError, match="dp: "):
        Server(setup[1], rounds=1, clients_per_round=1, checkpoint_dir=state,
               dp=DPFedAvg(1.0, clip_norm=1.0, expected_clients_per_round=1))
