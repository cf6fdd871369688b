"""Secure aggregation's JS client in real Chromium (Debian's, through Playwright): WebCrypto's X25519,
HKDF and AES there give the same bytes as Python — the RFC 7748 key pair and whole masked vectors of
tests/vectors/secagg/vectors.json — so browser clients can join a secure round. The package's source
modules are served over HTTP from the repository (a local server on a free port)."""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic"]

CHECK = """async () => {
  const { SecAggClient } = await import('/js_runtime/src/federated/secagg/index.js');
  const { x25519KeyPair } = await import('/js_runtime/src/federated/secagg/crypto.js');
  const V = await (await fetch('/tests/vectors/secagg/vectors.json')).json();
  const hex = (h) => Uint8Array.from(h.match(/../g), (b) => parseInt(b, 16));
  const toHex = (b) => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
  const alice = await x25519KeyPair(hex(V.x25519.alicePrivate));
  const out = { alicePublic: toHex(alice.publicRaw), masked: {} };
  for (const m of V.masked) {
    const ids = m.config.clientIds;
    const cl = {};
    for (const id of ids) {
      const s = m.clients[id].secrets;
      cl[id] = new SecAggClient(id, m.config, { testSecrets: { c: hex(s.c), s: hex(s.s), b: hex(s.b) } });
    }
    const roster = { round: m.config.round, clients: {} };
    for (const id of ids) roster.clients[id] = await cl[id].advertise();
    const sent = {};
    for (const id of ids) sent[id] = await cl[id].shareKeys(roster);
    for (const id of ids) {
      const from = ids.filter((f) => f !== id).map((f) => [f, sent[f][id]]);
      const inbox = { round: m.config.round, shares: Object.fromEntries(from) };
      const raw = Uint8Array.from(atob(m.clients[id].update), (c) => c.charCodeAt(0));
      const masked = await cl[id].maskedInput(new Float32Array(raw.buffer), m.clients[id].weight, inbox);
      const bytes = Uint8Array.from(atob(masked), (c) => c.charCodeAt(0));
      out.masked[`${m.name}/${id}`] = toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
    }
  }
  return out;
}"""


@pytest.fixture()
def served_repo():
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(ROOT))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_chromium_masks_exactly_like_python(served_repo, playwright_session):
    vectors = json.loads((ROOT / "tests" / "vectors" / "secagg" / "vectors.json").read_text(encoding="utf-8"))
    browser = playwright_session.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
    try:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{served_repo}/tests/vectors/secagg/")
        got = page.evaluate(CHECK)
    finally:
        browser.close()
    assert not errors
    assert got["alicePublic"] == vectors["x25519"]["alicePublic"]
    want = {f"{m['name']}/{c}": e["maskedSha256"] for m in vectors["masked"] for c, e in m["clients"].items()}
    assert got["masked"] == want
