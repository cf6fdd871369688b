"""Secure aggregation across languages: the vectors file (tests/vectors/secagg/vectors.json, which the
node test recomputes with WebCrypto) is current, and mixed rounds of Python and JS clients (the npm
package's SecAggClient, driven through tests/node/_secagg_peer.mjs) through a Python SecAggServer sum
right, with and without a JS client dropping after sharing its keys."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from webgrad.federated.secagg import SecAggClient, SecAggServer, round_config
from webgrad.federated.secagg import vectors as secagg_vectors

ROOT = Path(__file__).resolve().parent.parent
PEER = ROOT / "tests" / "node" / "_secagg_peer.mjs"


def test_the_vectors_file_is_current():
    text = secagg_vectors.DEFAULT_PATH.read_text(encoding="utf-8")
    assert secagg_vectors.render(secagg_vectors.build()) == text, \
        "stale: run python -m webgrad.federated.secagg.vectors"
    assert secagg_vectors.main(["--check"]) == 0
    assert json.loads(text)["generated"].startswith("GENERATED")


def test_the_check_names_a_stale_file(tmp_path, capsys):
    stale = tmp_path / "vectors.json"
    stale.write_text(secagg_vectors.DEFAULT_PATH.read_text(encoding="utf-8").replace('"round": 7', '"round": 8', 1))
    assert secagg_vectors.main(["--check", "--path", str(stale)]) == 1
    assert "stale" in capsys.readouterr().err


class JsPeers:
    """JS clients in one node process."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(["node", str(PEER)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)

    def call(self, cid: str, call: str, *args: Any) -> Any:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps({"id": cid, "call": call, "args": list(args)}) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        if "error" in answer:
            raise RuntimeError(f"JS client {cid}: {answer}")
        return answer["ok"]

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
@pytest.mark.parametrize("js_gone", [None, "js-2"])
def test_a_mixed_round_of_python_and_js_clients_sums_right(js_gone):
    ids = ["js-1", "js-2", "py-1", "py-2"]
    cfg = round_config(3, ids, 5000, 20.0, threshold=3)
    rng = np.random.default_rng(11)
    updates = {c: (rng.normal(0, 0.01, cfg["length"]).astype(np.float32), int(rng.integers(1, 100))) for c in ids}
    server = SecAggServer(cfg)
    py = {c: SecAggClient(c, cfg) for c in ids if c.startswith("py")}
    js = JsPeers()
    try:
        for c in ids:
            if c in py:
                server.receive_advertise(c, py[c].advertise())
            else:
                js.call(c, "new", cfg)
                server.receive_advertise(c, js.call(c, "advertise"))
        roster = server.roster()
        for c in ids:
            server.receive_shares(c, py[c].share_keys(roster) if c in py else js.call(c, "shareKeys", roster))
        included = [c for c in ids if c != js_gone]
        for c in included:
            x, w = updates[c]
            inbox = server.inbox(c)
            if c in py:
                server.receive_masked(c, py[c].masked_input(x, w, inbox))
            else:
                b64 = base64.b64encode(x.astype("<f4").tobytes()).decode()
                server.receive_masked(c, js.call(c, "maskedInput", b64, w, inbox))
        ask = server.unmask_request()
        assert ask["dropped"] == ([js_gone] if js_gone else [])
        for c in included:
            args = (ask["survivors"], ask["dropped"])
            server.receive_unmask(c, py[c].unmask(*args) if c in py else js.call(c, "unmask", *args))
    finally:
        js.close()
    total, weight = server.result()
    want = sum(updates[c][0].astype(np.float64) * updates[c][1] for c in included)
    assert weight == sum(updates[c][1] for c in included)
    assert np.max(np.abs(total - want)) <= len(included) * 2.0 ** -(cfg["fracBits"] + 1)
