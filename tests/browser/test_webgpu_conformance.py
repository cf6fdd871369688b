"""The webgpu backend in headless Chromium (Debian's /usr/bin/chromium, its SwiftShader adapter) through
Playwright: a page served from this repository imports ``js_runtime/src/index.js`` as an ES module,
runs every op test vector (``tests/vectors``) and an end-to-end bundle on ``backend: 'webgpu'``
(``navigator.gpu``), and hands the raw outputs back; they are checked here against the numpy
reference's expected values and the Python runner's outputs. Also: ``auto`` on this software adapter
picks wasm and says why.

Skips (with the reason) when Chromium, Playwright or a WebGPU adapter is missing. Nothing is downloaded.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
MIME = {".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json",
        ".bin": "application/octet-stream", ".html": "text/html"}
TYPES = {"float32": np.float32, "int32": np.int32, "int8": np.int8, "uint8": np.uint8, "float16": np.float16}

PAGE = """<!doctype html><meta charset="utf-8"><title>webgrad webgpu</title>
<script type="module">
import { getBackend, loadModel, tensor, OPSET } from '/js_runtime/src/index.js';
import { inferNode } from '/js_runtime/src/shape_rules.js';
import { EXCLUDED, runCase } from '/tests/node/_webgpu.mjs';

const TYPED = { float32: Float32Array, int32: Int32Array, int8: Int8Array, uint8: Uint8Array, float16: Uint16Array };
const decode = (t) => {
  const s = atob(t.data);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return { dtype: t.dtype, shape: t.shape, data: new TYPED[t.dtype](bytes.buffer) };
};
const b64 = (a) => {
  const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  for (let i = 0; i < u.length; i += 8192) s += String.fromCharCode(...u.subarray(i, i + 8192));
  return btoa(s);
};

// every case of every op's vectors on one webgpu backend instance; raw outputs for Python to check
window.runVectors = async () => {
  const backend = await getBackend('webgpu').create({});
  const out = { excluded: EXCLUDED, detail: backend.detail, results: [] };
  try {
    for (const op of Object.keys(OPSET.ops)) {
      if (EXCLUDED[op]) continue;
      const doc = await (await fetch(`/tests/vectors/${op}.json`)).json();
      for (const c of doc.cases) {
        const inputs = c.inputs.map((t) => (t === null ? null : decode(t)));
        const variadic = OPSET.ops[op].inputs.at(-1)?.variadic;
        while (inputs.length && inputs[inputs.length - 1] === null && !variadic) inputs.pop();
        const shapes = inputs.map((t) => t && t.shape);
        const { shape, dtype } = inferNode(op, shapes, inputs.map((t) => t && t.dtype), c.attrs);
        try {
          const y = await runCase(backend, op, c, inputs, { shape, dtype });
          out.results.push({ op, name: c.name, shape: [...y.shape], dtype: y.dtype, data: b64(y.data) });
        } catch (e) {
          out.results.push({ op, name: c.name, error: `${e.code ?? ''} ${e.message}` });
        }
      }
    }
  } finally {
    backend.dispose();
  }
  return out;
};

// one bundle on webgpu (and on auto, for its reason)
window.runBundle = async (bundle, input, shape) => {
  const x = new Float32Array(await (await fetch(input)).arrayBuffer());
  const model = await loadModel(bundle, { backend: 'webgpu' });
  const y = await model.predict(tensor(x, shape));
  const data = await y.data();
  const result = { backend: model.backend, reason: model.backendReason, selftest: model.selftest.maxError,
                   shape: [...y.shape], onDevice: true, data: b64(data) };
  model.dispose();
  const auto = await loadModel(bundle);
  result.auto = { backend: auto.backend, reason: auto.backendReason };
  auto.dispose();
  return result;
};
window.adapter = async () => {
  if (!navigator.gpu) return 'navigator.gpu is missing';
  const a = await navigator.gpu.requestAdapter();
  return a ? '' : 'requestAdapter() returned null';
};
window.ready = true;
</script>
"""


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the repository, the fixtures under /__fixtures/ and the test page, with module MIME types."""

    fixtures: Path = Path()

    def translate_path(self, path: str) -> str:
        """Maps /__fixtures/... to the fixtures directory, everything else into the repository."""
        clean = path.split("?", 1)[0]
        if clean.startswith("/__fixtures/"):
            return str(self.fixtures / clean[len("/__fixtures/"):])
        return super().translate_path(path)

    def guess_type(self, path: str) -> str:
        """The MIME type an ES module page needs for .js/.mjs/.wasm/.json."""
        return MIME.get(Path(str(path)).suffix, "application/octet-stream")

    def do_GET(self) -> None:
        """The test page from memory; files otherwise."""
        if self.path == "/__webgpu.html":
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def fixtures() -> Iterator[Path]:
    """The end-to-end bundles and the Python runner's outputs (tests/node/make_fixtures.py)."""
    with tempfile.TemporaryDirectory() as d:
        script = ROOT / "tests" / "node" / "make_fixtures.py"
        subprocess.run([sys.executable, str(script), d], check=True, capture_output=True)
        yield Path(d)


@pytest.fixture(scope="module")
def page(fixtures: Path, browser: Any) -> Iterator[object]:
    """A page of the session's Chromium (tests/browser/conftest.py: WebGPU enabled; skips when Chromium
    or Playwright is missing) on the served test page; skips when there is no WebGPU adapter."""
    handler = functools.partial(type("H", (_Handler,), {"fixtures": fixtures}), directory=str(ROOT))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        context = browser.new_context()
        try:
            pg = context.new_page()
            pg.set_default_timeout(120_000)
            errors: list[str] = []
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.goto(f"http://127.0.0.1:{server.server_address[1]}/__webgpu.html")
            pg.wait_for_function("window.ready === true", timeout=30_000)
            assert not errors, errors
            why = pg.evaluate("adapter()")
            if why:
                pytest.skip(f"no WebGPU adapter in Chromium: {why}")
            yield pg
        finally:
            context.close()
    finally:
        server.shutdown()


def _decode(data: str, dtype: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(data), dtype=TYPES[dtype])


def _close(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """Elementwise agreement as the node tests define it: NaN must be NaN, Inf the same Inf."""
    got64, want64 = got.astype(np.float64), want.astype(np.float64)
    finite = np.isfinite(want64)
    ok = np.where(np.isnan(want64), np.isnan(got64), got64 == want64)
    with np.errstate(invalid="ignore"):
        near = np.abs(got64 - want64) <= atol + rtol * np.abs(want64)
    return np.where(finite, near, ok)


def test_op_vectors_on_webgpu_in_chromium(page: object) -> None:
    """Every case of every op's test vectors, run on webgpu in the browser, matches the numpy reference."""
    out = page.evaluate("runVectors()")  # type: ignore[attr-defined]
    assert "swiftshader" in out["detail"]
    docs = [json.loads(p.read_text()) for p in (ROOT / "tests" / "vectors").glob("*.json")]
    cases = {(doc["op"], c["name"]): c for doc in docs for c in doc["cases"]}
    ran = {(r["op"], r["name"]) for r in out["results"]}
    expected = {k for k in cases if k[0] not in out["excluded"]}
    assert ran == expected
    failures = []
    for r in out["results"]:
        c = cases[(r["op"], r["name"])]
        if "error" in r:
            failures.append(f"{r['op']}/{r['name']}: {r['error']}")
            continue
        want_t = c["expected"][0]
        want = _decode(want_t["data"], want_t["dtype"])
        got = _decode(r["data"], r["dtype"])
        exact = want_t["dtype"] in ("int32", "int8", "uint8")
        tol = (0.0, 0.0) if exact else (c["tolerance"]["rtol"], c["tolerance"]["atol"])
        if r["shape"] != want_t["shape"] or r["dtype"] != want_t["dtype"] or got.size != want.size:
            got_kind, want_kind = f"{r['dtype']} {r['shape']}", f"{want_t['dtype']} {want_t['shape']}"
            failures.append(f"{r['op']}/{r['name']}: {got_kind}, want {want_kind}")
        elif not _close(got, want, *tol).all():
            i = int(np.argmin(_close(got, want, *tol)))
            failures.append(f"{r['op']}/{r['name']}: element {i} is {got[i]}, want {want[i]}")
    assert not failures, "\n".join(failures)
    assert len(out["results"]) > 100


def test_bundle_on_webgpu_in_chromium(page: object, fixtures: Path) -> None:
    """The MNIST CNN bundle (float32 and int8) on webgpu in the browser matches the Python runner; auto picks wasm."""
    index = json.loads((fixtures / "fixtures.json").read_text())
    for name in ("cnn-float32", "mobilenet-int8"):
        case = next(c for c in index["cases"] if c["name"] == name)
        r = page.evaluate(  # type: ignore[attr-defined]
            "([b, i, s]) => runBundle(b, i, s)",
            [f"/__fixtures/{case['bundle']}/", f"/__fixtures/{case['input']}", case["inputShape"]],
        )
        assert r["backend"] == "webgpu" and r["reason"].startswith("requested 'webgpu'")
        assert r["selftest"] <= 1e-4
        want = np.fromfile(fixtures / case["output"], dtype="<f4")
        got = _decode(r["data"], "float32")
        assert r["shape"] == case["outputShape"]
        assert np.abs(got - want).max() <= 1e-4, f"{name}: max |chromium webgpu - python| = {np.abs(got - want).max()}"
        assert r["auto"]["backend"] == "wasm"
        assert "skipped webgpu: software adapter" in r["auto"]["reason"]
