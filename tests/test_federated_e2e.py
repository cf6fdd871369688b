"""The issue's acceptance for federated learning, a real run: the Python server (webgrad.federated.Server),
3 Node.js clients (processes running the npm package's FederatedClient from js_runtime/src) and 2 Chromium
pages (the same client as ES modules, from another origin: CORS) run 3 rounds of FedAvg on the digits
(8x8); the global model's accuracy on held-out digits rises round after round, one Node client killed
mid-round (after it trained, before its update) does not stop the round, and the final published bundle,
read over HTTP, loads in Python and scores what the server reported. Slow-ish (~25 s on 2 cores: one Chromium, a
round timeout spent on the killed client and on each later round's smaller cohort)."""

from __future__ import annotations

import mimetypes
import shutil
import threading
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from federated_run import REPO, NodeClient, accuracy, digit_mlp_bundle, write_client_data

pytestmark = [pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js 20")]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]
ROUNDS = 3
ROUND_TIMEOUT = 3.0
PAGE = """<!doctype html><meta charset="utf-8"><title>federated client</title><link rel="icon" href="data:,">
<script type="module">
import { FederatedClient } from '/js/src/index.js';
const q = new URLSearchParams(location.search);
const raw = await (await fetch(`/data/${q.get('i')}.json`)).json();
const x = { data: Float32Array.from(raw.x), shape: raw.shape };
const y = Int32Array.from(raw.y);
window.flReports = [];
const client = new FederatedClient(q.get('server'), { token: q.get('token'), backend: 'wasm' });
client.join({ data: () => ({ x, y }), onRound: (r) => window.flReports.push(r) })
  .then((r) => (window.flResult = r), (e) => (window.flError = `${e.code}: ${e.message}`));
</script>"""


def _static_app(data_dir: Path) -> Any:
    """A WSGI app for the pages: the page, the npm package's src/ and wasm/ under /js/, the clients' data."""
    roots = {"/js/": REPO / "js_runtime", "/data/": data_dir}

    def app(environ: dict[str, Any], start: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        if path == "/page.html":
            start("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [PAGE.encode()]
        for prefix, root in roots.items():
            if path.startswith(prefix):
                file = (root / path[len(prefix):]).resolve()
                if file.is_relative_to(root) and file.is_file() and ".." not in path:
                    kind = "application/wasm" if file.suffix == ".wasm" else (
                        "text/javascript" if file.suffix in (".js", ".mjs") else mimetypes.guess_type(file.name)[0])
                    start("200 OK", [("Content-Type", kind or "application/octet-stream")])
                    return [file.read_bytes()]
        start("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return app


def _serve(app: Any) -> tuple[Any, str]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def _download(url: str, dest: Path) -> Path:
    """A published version's bundle, read over HTTP as any client reads it."""
    import json

    dest.mkdir(parents=True)
    manifest = urllib.request.urlopen(url + "model.json").read()
    (dest / "model.json").write_bytes(manifest)
    for shard in json.loads(manifest)["weights"]["shards"]:
        (dest / shard["file"]).write_bytes(urllib.request.urlopen(url + shard["file"]).read())
    return dest


def test_three_rounds_node_and_browser_clients(tmp_path: Path, digits_data: Any, playwright_session: Any) -> None:
    from webgrad.federated.server import Server, client_id_for
    from webgrad.federated.tokens import token_hash

    x, y, xt, yt = digits_data
    bundle = digit_mlp_bundle(tmp_path / "global")
    # 5 IID shards of the training digits: 3 Node clients (the last one is killed mid-round), 2 pages
    order = np.random.default_rng(0).permutation(len(x))
    shards = np.array_split(order, 5)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    files = [write_client_data(data_dir / f"{i}.json", x[s], y[s]) for i, s in enumerate(shards)]
    tokens = [f"token-{i}" for i in range(5)]
    server = Server(bundle, rounds=ROUNDS, clients_per_round=5, min_clients=4, tokens=tokens,
                    eval_data=(xt, yt), settings={"epochs": 2, "batchSize": 16, "learningRate": 0.1},
                    round_timeout=ROUND_TIMEOUT, poll_after_ms=100, checkpoint_dir=tmp_path / "state")
    fl_url = server.run_in_thread()
    static, page_url = _serve(_static_app(data_dir))
    nodes: list[NodeClient] = []
    browser = None
    try:
        nodes = [NodeClient(fl_url, tokens[i], files[i], stall=(i == 2)) for i in range(3)]
        browser = playwright_session.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        pages, errors = [], []
        for i in (3, 4):
            page = browser.new_context().new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{page_url}/page.html?i={i}&token={tokens[i]}&server={fl_url}")
            pages.append(page)

        victim = nodes[2]
        assert victim.wait_for("stalled", 60)["stalled"] == 1  # it trained round 1 and is about to send
        victim.kill()
        for node in nodes[:2]:
            done = node.wait_for("done", 90)["done"]
            assert done["version"] == ROUNDS and done["rounds"] == ROUNDS, node.events
        for page in pages:
            page.wait_for_function("window.flResult || window.flError", timeout=60000)
            assert page.evaluate("window.flError") is None
            assert page.evaluate("window.flResult.version") == ROUNDS
            reports = page.evaluate("window.flReports")
            assert [r["round"] for r in reports] == [1, 2, 3] and all(r["accepted"] for r in reports)
            assert [r["reusedModel"] for r in reports] == [False, True, True]  # later rounds: trainable.bin only
        assert errors == []
        for node in nodes[:2]:
            assert node.close() == 0
            assert [r["round"] for r in node.rounds()] == [1, 2, 3]

        status = server.status()
        assert status["done"] and status["version"] == ROUNDS
        reports = status["reports"]
        assert [r["round"] for r in reports] == [1, 2, 3]
        victim_id = client_id_for(token_hash(tokens[2]))
        # the killed client was selected in round 1, never answered, and the round closed without it
        assert reports[0]["selected"] == 5 and reports[0]["participants"] == 4
        assert reports[0]["dropped"] == [victim_id] and victim_id not in reports[0]["accepted"]
        assert all(r["participants"] == 4 for r in reports)
        assert {server.clients[client_id_for(token_hash(t))]["runtime"] for t in tokens} == {"node", "browser"}

        # the global accuracy rises: version 0 (untrained) < 1 < 2 < 3, each scored by Python's reader
        scores = [accuracy(server.store.version_dir(v), xt, yt) for v in range(ROUNDS + 1)]
        assert scores == sorted(scores) and len(set(scores)) == len(scores), scores
        assert scores[-1] >= 0.8, scores
        assert [r["eval"]["accuracy"] for r in reports] == pytest.approx(scores[1:])
        # the final bundle, as published over HTTP, loads in Python and scores the same
        final = _download(f"{fl_url}/fl/v1/model/{ROUNDS}/", tmp_path / "final")
        assert accuracy(final, xt, yt) == pytest.approx(scores[-1])
    finally:
        for node in nodes:
            if node.proc.poll() is None:
                node.kill()
        if browser is not None:
            browser.close()
        static.shutdown()
        server.stop()


def _one_round(tmp: Path, bundle: Path, files: list[Path], tokens: list[str], secure: bool) -> tuple[Any, list[Any]]:
    """One round of 3 Node clients; the published version 1's trainable vector and the clients' reports."""
    from webgrad.exporter.bundle_reader import read_bundle
    from webgrad.federated.bundle_weights import trainable_vector
    from webgrad.federated.server import Server

    server = Server(bundle, rounds=1, clients_per_round=3, tokens=tokens, secure_aggregation=secure,
                    settings={"epochs": 1, "batchSize": 16, "learningRate": 0.1}, round_timeout=30,
                    poll_after_ms=50, checkpoint_dir=tmp)
    url = server.run_in_thread()
    nodes = [NodeClient(url, t, f) for t, f in zip(tokens, files, strict=True)]
    try:
        for node in nodes:
            assert node.wait_for("done", 60)["done"]["version"] == 1, node.events
            assert node.close() == 0
        return trainable_vector(read_bundle(server.store.version_dir(1))), [n.rounds()[0] for n in nodes]
    finally:
        for node in nodes:
            if node.proc.poll() is None:
                node.kill()
        server.stop()


def test_secure_aggregation_round_matches_plain_fedavg(tmp_path: Path, digits_data: Any) -> None:
    """The Node clients mask their updates (the JS SecAggClient through the protocol's secagg calls); the
    server, which only sees masked vectors, publishes the same global weights as a plain FedAvg round
    of the same clients (same seeds, same data) within the fixed-point encoding's precision."""
    from webgrad.exporter.bundle_reader import read_bundle
    from webgrad.federated.bundle_weights import trainable_vector

    x, y, _, _ = digits_data
    bundle = digit_mlp_bundle(tmp_path / "global")
    shards = np.array_split(np.arange(300), 3)
    files = [write_client_data(tmp_path / f"{i}.json", x[s], y[s]) for i, s in enumerate(shards)]
    tokens = [f"token-{i}" for i in range(3)]
    plain, plain_reports = _one_round(tmp_path / "plain", bundle, files, tokens, secure=False)
    masked, masked_reports = _one_round(tmp_path / "secagg", bundle, files, tokens, secure=True)
    assert [r["encoding"] for r in masked_reports] == ["secagg"] * 3
    assert [r["encoding"] for r in plain_reports] == ["float32"] * 3
    start = trainable_vector(read_bundle(bundle))
    assert np.abs(plain - start).max() > 1e-3  # the round moved the weights
    np.testing.assert_allclose(masked, plain, atol=1e-5, rtol=0)
