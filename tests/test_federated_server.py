"""The federated server with Python clients over real HTTP (docs/federated_protocol.md): a run on the
digits rises in accuracy and its final bundle loads in Python; the aggregate equals FedAvg computed
directly from the clients' own training; a client that stops mid-round does not stop the round; DP's ε
in the reports is the accountant's; secure aggregation gives plain FedAvg's weights; the model files'
ETags and the weights-only file; CORS."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("flask")

from federated_run import accuracy, digit_mlp_bundle

import webgrad as wg
from webgrad.exporter.bundle_reader import read_bundle
from webgrad.federated.bundle_weights import trainable_vector
from webgrad.federated.client import CancelledError, Client
from webgrad.federated.local import train_local
from webgrad.federated.rounds import client_seed
from webgrad.federated.server import Server, client_id_for
from webgrad.federated.tokens import token_hash

TOKENS = ["token-a", "token-b", "token-c"]
SETTINGS = {"epochs": 1, "batchSize": 16, "learningRate": 0.1}


@pytest.fixture(scope="module")
def digits():
    (x, y), (xt, yt) = wg.datasets.digits()
    return (x.reshape(-1, 64) / np.float32(16), y), (xt.reshape(-1, 64) / np.float32(16), yt)


@pytest.fixture
def bundle(tmp_path):
    return digit_mlp_bundle(tmp_path / "v0")


def run_clients(url, data, tokens=TOKENS, parts=None, **kwargs):
    """Runs one client per token in threads, the i-th on every ``parts``-th example of ``data`` from i
    (``parts``: the number of tokens by default); returns their histories (an exception in a client
    thread fails the test)."""
    (x, y), _ = data
    parts = parts or len(tokens)
    results, errors = {}, []

    def one(i, token):
        try:
            results[token] = Client(url, token, **kwargs).run(x[i::parts], y[i::parts])
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=one, args=(i, t)) for i, t in enumerate(tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    return results


def test_a_real_run_rises_in_accuracy_and_its_bundle_loads(bundle, digits, tmp_path):
    _, (xt, yt) = digits
    server = Server(bundle, rounds=3, clients_per_round=3, tokens=TOKENS, settings=SETTINGS, round_timeout=20,
                    poll_after_ms=50, eval_data=(xt, yt), checkpoint_dir=tmp_path / "state")
    url = server.run_in_thread()
    try:
        histories = run_clients(url, digits)
    finally:
        server.stop()
    assert all([h["round"] for h in hist] == [1, 2, 3] for hist in histories.values())
    reports = server.status()["reports"]
    assert [r["participants"] for r in reports] == [3, 3, 3] and server.status()["done"]
    scores = [accuracy(server.store.version_dir(v), xt, yt) for v in range(4)]
    assert scores[3] > scores[1] > scores[0] + 0.2, scores
    # the server's own evaluation is of the published bundle
    assert [r["eval"]["accuracy"] for r in reports] == pytest.approx(scores[1:])
    final = wg.load_model(server.store.version_dir(3))
    assert final.predict(xt[:5], verbose=0).shape == (5, 10)
    assert server.clients[client_id_for(token_hash("token-a"))]["runtime"] == "python"


def test_the_round_is_fedavg_of_the_clients_training(bundle, digits):
    """Round 1's weights = version 0 + Σ n_i Δ_i / Σ n_i, with each Δ_i recomputed here from the client's
    data, the task's settings and the seed the server gave it."""
    (x, y), _ = digits
    server = Server(bundle, rounds=1, clients_per_round=3, tokens=TOKENS, settings=SETTINGS, poll_after_ms=50)
    url = server.run_in_thread()
    try:
        run_clients(url, digits)
    finally:
        server.stop()
    w0 = trainable_vector(read_bundle(bundle))
    deltas, counts = [], []
    for i, token in enumerate(TOKENS):
        model = wg.load_model(bundle)
        xi, yi = x[i::3], y[i::3]
        r = train_local(model, xi, yi, epochs=1, batch_size=16, learning_rate=0.1,
                        seed=client_seed(0, 1, client_id_for(token_hash(token))))
        deltas.append(np.concatenate([d.reshape(-1) for d in r.delta]).astype(np.float64))
        counts.append(len(xi))
    expected = w0 + sum(n * d for n, d in zip(counts, deltas, strict=True)) / sum(counts)
    got = trainable_vector(read_bundle(server.store.version_dir(1)))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    assert np.abs(got - w0).max() > 1e-3


class StopsMidRound(Client):
    """Takes its first task, then disappears without answering (a killed client)."""

    def train(self, task, x, y):
        self.cancel()
        raise CancelledError  # run() returns: no update, no more polls, like a killed process


def test_a_client_that_stops_mid_round_does_not_stop_the_round(bundle, digits):
    server = Server(bundle, rounds=2, clients_per_round=3, min_clients=2, tokens=TOKENS, settings=SETTINGS,
                    round_timeout=1.0, poll_after_ms=50)
    url = server.run_in_thread()
    (x, y), _ = digits
    done = []
    try:
        quitter = StopsMidRound(url, "token-c")
        t = threading.Thread(target=quitter.run, args=(x[2::3], y[2::3]))
        t.start()
        done = run_clients(url, digits, tokens=TOKENS[:2])
        t.join(30)
    finally:
        server.stop()
    reports = server.status()["reports"]
    assert server.status()["done"] and [r["participants"] for r in reports] == [2, 2]
    # the quitter was selected once (round 1 unless the machine stalled it), and dropped from that round
    quitter_id = client_id_for(token_hash("token-c"))
    assert [r["dropped"] for r in reports].count([quitter_id]) == 1
    assert all(len(h) == 2 for h in done.values())


def test_dp_run_clips_and_reports_the_accountants_epsilon(bundle, digits):
    from webgrad.federated.dp import DPFedAvg

    def dp():
        return DPFedAvg(noise_multiplier=1.0, clip_norm=0.05, expected_clients_per_round=3, total_clients=30)

    server = Server(bundle, rounds=2, clients_per_round=3, tokens=TOKENS, settings=SETTINGS, poll_after_ms=50,
                    dp=dp())
    url = server.run_in_thread()
    try:
        histories = run_clients(url, digits)
    finally:
        server.stop()
    reports = server.status()["reports"]
    assert [r["epsilon"] for r in reports] == pytest.approx([dp().epsilon(1), dp().epsilon(2)], rel=1e-12)
    assert all(r["clipNorm"] == 0.05 for r in reports)
    assert all(h["clipped"] for hist in histories.values() for h in hist)  # a digits update is far above 0.05


def test_secure_aggregation_gives_the_plain_fedavg_weights(bundle, digits, tmp_path):
    weights = {}
    for secure in (False, True):
        server = Server(bundle, rounds=1, clients_per_round=3, tokens=TOKENS, settings=SETTINGS, poll_after_ms=50,
                        secure_aggregation=secure, secagg_range=500.0, checkpoint_dir=tmp_path / str(secure))
        url = server.run_in_thread()
        try:
            run_clients(url, digits)
        finally:
            server.stop()
        assert [r["participants"] for r in server.status()["reports"]] == [3]
        weights[secure] = trainable_vector(read_bundle(server.store.version_dir(1)))
        # nothing of a single client's update is journaled under secure aggregation
        assert not list((tmp_path / str(secure)).glob("rounds/*/*.npz"))
    # fixed point: 3 clients' weighted coordinates within ±500 keep 2^-22 of precision
    np.testing.assert_allclose(weights[True], weights[False], rtol=0, atol=1e-5)
    assert np.abs(weights[True] - trainable_vector(read_bundle(bundle))).max() > 1e-3


class DropsAfterSharingKeys(Client):
    """Takes part in secure aggregation up to sharing its keys, then vanishes before sending its masked
    update (the case the protocol's dropout recovery is for)."""

    def _secagg(self, task, update, num_examples):
        from webgrad.federated.secagg import SecAggClient

        secagg = SecAggClient(self.client_id, task["secagg"])
        self._post_secagg(task, "advertise", secagg.advertise())
        self._post_secagg(task, "shares", secagg.share_keys(self._wait_secagg(task, "roster")))
        self.cancel()
        raise CancelledError


def test_secure_aggregation_recovers_a_client_that_drops_after_sharing_keys(bundle, digits, tmp_path):
    """The round completes with the two survivors, and its weights are plain FedAvg's of those two."""
    (x, y), _ = digits
    server = Server(bundle, rounds=1, clients_per_round=3, min_clients=2, tokens=TOKENS, settings=SETTINGS,
                    poll_after_ms=50, round_timeout=3.0, secure_aggregation=True, secagg_range=500.0)
    url = server.run_in_thread()
    try:
        quitter = threading.Thread(target=DropsAfterSharingKeys(url, "token-c").run, args=(x[2::3], y[2::3]))
        quitter.start()
        run_clients(url, digits, tokens=TOKENS[:2], parts=3)
        quitter.join(30)
    finally:
        server.stop()
    report = server.status()["reports"][0]
    assert report["participants"] == 2 and report["dropped"] == [client_id_for(token_hash("token-c"))]
    plain = Server(bundle, rounds=1, clients_per_round=2, tokens=TOKENS[:2], settings=SETTINGS, poll_after_ms=50)
    url = plain.run_in_thread()
    try:
        run_clients(url, digits, tokens=TOKENS[:2], parts=3)
    finally:
        plain.stop()
    expected = trainable_vector(read_bundle(plain.store.version_dir(1)))
    got = trainable_vector(read_bundle(server.store.version_dir(1)))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)
    assert np.abs(got - trainable_vector(read_bundle(bundle))).max() > 1e-3


def test_a_mounted_app_closes_a_round_at_its_deadline_without_requests(bundle):
    """Served by another app (no run_in_thread), the server still closes a round on time: the app's first
    request starts the ticker."""
    import time

    from webgrad.federated.validate import encode_update

    server = Server(bundle, rounds=1, clients_per_round=2, min_clients=1, tokens=TOKENS[:2], round_timeout=0.3)
    http = server.app.test_client()
    auth = [{"Authorization": f"Bearer {t}"} for t in TOKENS[:2]]
    ids = [http.post("/fl/v1/join", json={"runtime": "node", "numExamples": 4}, headers=a).json["clientId"]
           for a in auth]
    tasks = [http.get(f"/fl/v1/task?clientId={i}", headers=a).json for i, a in zip(ids, auth, strict=True)]
    task = tasks[1]
    assert task["status"] == "train"
    body = {"clientId": ids[1], "taskId": task["taskId"], "round": 1, "numExamples": 4, "encoding": "float32",
            "update": encode_update(np.full(server.update_length, 0.01, np.float32))}
    assert http.post("/fl/v1/update", json=body, headers=auth[1]).json == {"accepted": True}
    try:
        for _ in range(200):  # the other selected client never answers; nobody sends a request
            if server.version == 1:
                break
            time.sleep(0.05)
        assert server.version == 1 and server.reports[0]["dropped"] == [ids[0]]
    finally:
        server.stop()


def test_model_files_etags_weights_only_and_cors(bundle):
    server = Server(bundle, rounds=1, clients_per_round=1, tokens=TOKENS)
    http = server.app.test_client()
    r = http.get("/fl/v1/model/0/model.json")
    assert r.status_code == 200 and r.headers["Cache-Control"].endswith("immutable")
    assert r.data == Path(bundle, "model.json").read_bytes()
    assert http.get("/fl/v1/model/0/model.json", headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    shard = http.get("/fl/v1/model/0/weights-000.bin")
    assert shard.data == Path(bundle, "weights-000.bin").read_bytes()
    weights = http.get("/fl/v1/model/0/trainable.bin")
    np.testing.assert_array_equal(np.frombuffer(weights.data, "<f4"), trainable_vector(read_bundle(bundle)))
    for missing in ("/fl/v1/model/1/model.json", "/fl/v1/model/0/tokens.json"):
        answer = http.get(missing)
        assert answer.status_code == 404 and answer.json["error"]["code"] == "ESTATE"
    pre = http.options("/fl/v1/update")
    assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in pre.headers["Access-Control-Allow-Headers"]
    assert http.get("/fl/v1/status").headers["Access-Control-Expose-Headers"] == "ETag"


def test_a_version_is_the_bundle_with_new_trainable_weights(bundle, digits, tmp_path):
    """bundle_weights: unchanged weights rewrite byte-identical files; new weights give a bundle whose
    self-test (recomputed) passes and which predicts as the model with those weights."""
    from webgrad.exporter.runner import load_bundle
    from webgrad.federated.bundle_weights import write_with_trainable
    from webgrad.federated.client import get_trainable, set_trainable

    source = read_bundle(bundle)
    same = write_with_trainable(source, trainable_vector(source), tmp_path / "same")
    for name in ("model.json", "weights-000.bin"):
        assert (same / name).read_bytes() == Path(bundle, name).read_bytes()
    start = trainable_vector(source)
    new = start + np.random.default_rng(0).normal(0, 0.1, start.size).astype(np.float32)
    out = write_with_trainable(source, new, tmp_path / "new")
    runner = load_bundle(out)
    assert runner.selftest() <= 1e-5
    model = wg.load_model(bundle)
    set_trainable(model, new)
    np.testing.assert_array_equal(get_trainable(model), new)
    _, (xt, _) = digits
    np.testing.assert_allclose(runner.predict(xt[:20]), model.predict(xt[:20], verbose=0), atol=1e-5)
    assert runner.bundle.manifest["training"] == source.manifest["training"]
    with pytest.raises(ValueError, match="NaN or Inf"):
        write_with_trainable(source, np.full_like(new, np.nan), tmp_path / "nan")
    with pytest.raises(ValueError, match="expected"):
        write_with_trainable(source, new[:-1], tmp_path / "short")


def test_configuration_errors_name_the_argument(bundle, tmp_path):
    with pytest.raises(ValueError, match="min_clients"):
        Server(bundle, rounds=1, clients_per_round=2, min_clients=3)
    with pytest.raises(ValueError, match="rounds"):
        Server(bundle, rounds=0, clients_per_round=2)
    with pytest.raises(ValueError, match="settings"):
        Server(bundle, rounds=1, clients_per_round=2, settings={"epoch": 1})
    plain = tmp_path / "plain"
    wg.export(wg.Sequential([wg.Input((2,)), wg.layers.Dense(1)]), plain, verbose=0)
    with pytest.raises(ValueError, match="trainable=True"):
        Server(plain, rounds=1, clients_per_round=1)
