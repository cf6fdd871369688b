"""The wasm backend's threads in Chromium (issue 17): on a cross-origin isolated page (COOP/COEP) the
MLP, CNN and MobileNetV2-style bundles of the Node fixtures (``tests/node/make_fixtures.py``; float32,
float16 and int8) give the same bits on 1, 2, 3 and 4 threads, at batch 1 (the GEMV path) and at a larger
batch, and match the Python runner within the bundle's self-test tolerance; the page logs no console
errors. Headless Chromium reports 2 cores here, so 3 and 4 threads are asked for explicitly.

So that the workers really compute, the page uses the pool's test hooks (the package's ``src/``, served
as published, with ``src/backends/wasm/threads/``): every call is split (``setMinParallelWork(0)``), and
once every worker is up (``workerCounts().running``) the calling thread claims no job
(``setCallerClaims(false)``): each part of every output is a worker's."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from werkzeug.exceptions import NotFound
from werkzeug.middleware.shared_data import SharedDataMiddleware

sys.path.insert(0, str(Path(__file__).parent))
from _threads_support import REPO, isolated

MODELS = ("mlp", "cnn", "mobilenet")
DTYPES = ("float32", "float16", "int8")
THREADS = (1, 2, 3, 4)
BATCHES = {"mlp": (1, 64), "cnn": (1, 16), "mobilenet": (1, 8)}  # batch 1: the GEMV path
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>webgrad threads</title><link rel="icon" href="data:,">
<script type="importmap">{"imports": {"webgrad": "./pkg/src/index.js"}}</script>
<script type="module">
import { loadModel } from 'webgrad';
import { setCallerClaims, workerCounts } from './pkg/src/backends/wasm/threads/pool.js';
import { setMinParallelWork } from './pkg/src/backends/wasm/threads/split.js';

setMinParallelWork(0);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** A fixed pseudo-random input in [0, 1) (the same in every run). */
function input(n) {
  const x = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 4294967296;
  }
  return x;
}
/**
 * Loads `bundle` on wasm with `threads` and predicts each of `shapes` (the fixed input, or `data` for a
 * single shape); with threads, only once every worker is up and with the workers doing every job.
 */
window.runCase = async (bundle, threads, shapes, data) => {
  const model = await loadModel(`./fixtures/${bundle}/`, { backend: 'wasm', threads });
  const result = { backend: model.backend, threads: model.threads, reason: model.backendReason, outs: [] };
  try {
    if (model.threads > 1) {
      for (let i = 0; workerCounts().running < model.threads - 1; i++) {
        if (i > 2000) throw new Error(`workers not up: ${JSON.stringify(workerCounts())}`);
        await sleep(5);
      }
      setCallerClaims(false);
    }
    for (const shape of shapes) {
      const x = data ? Float32Array.from(data) : input(shape.reduce((a, b) => a * b, 1));
      const y = await model.predict({ data: x, shape });
      result.outs.push(Array.from(await y.data()));
    }
  } finally {
    setCallerClaims(true);
    model.dispose();
  }
  result.workers = workerCounts();
  return result;
};
window.pageReady = true;
</script></head><body></body></html>
"""


@pytest.fixture(scope="module")
def fixtures_dir() -> Path:
    """The Node suite's fixtures (made once and cached by tests/node/_helpers.mjs)."""
    if shutil.which("node") is None:
        pytest.skip("node is needed to make the fixtures")
    helpers = (REPO / "tests" / "node" / "_helpers.mjs").as_uri()
    got = subprocess.run(["node", "--input-type=module", "-e",
                          f"import({json.dumps(helpers)}).then((m) => console.log(m.fixturesDir()))"],
                         capture_output=True, text=True, check=True, timeout=600, cwd=REPO)
    return Path(got.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def threads_url(tmp_path_factory: pytest.TempPathFactory, fixtures_dir: Path, serve: Any) -> str:
    """A cross-origin isolated page (``index.html``) with the package's ``src/`` and ``wasm/`` under ``pkg/``
    and the fixtures under ``fixtures/``."""
    root = tmp_path_factory.mktemp("threads-page")
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    package = REPO / "js_runtime"
    app = SharedDataMiddleware(NotFound(), {"/index.html": str(root / "index.html"),
                                            "/pkg/src": str(package / "src"), "/pkg/wasm": str(package / "wasm"),
                                            "/fixtures": str(fixtures_dir)})
    return serve(isolated(app))


@pytest.fixture
def threads_page(threads_url: str, new_page: Any, browser: Any) -> Any:
    """The page open in the session's Chromium, cross-origin isolated."""
    page = new_page(browser)
    page.page.goto(f"{threads_url}index.html")
    page.page.wait_for_function("window.pageReady === true", timeout=15000)
    assert page.page.evaluate("crossOriginIsolated") is True
    return page


def _fixture_case(fixtures_dir: Path, bundle: str) -> dict[str, Any]:
    cases = json.loads((fixtures_dir / "fixtures.json").read_text())["cases"]
    return next(c for c in cases if c["bundle"] == bundle)


@pytest.mark.parametrize("model", MODELS)
def test_threads_give_the_same_bits_for_every_count(threads_page: Any, fixtures_dir: Path, model: str) -> None:
    for dtype in DTYPES:
        bundle = f"{model}-{dtype}"
        case = _fixture_case(fixtures_dir, bundle)
        shapes = [[b, *case["inputShape"][1:]] for b in BATCHES[model]]
        runs = {t: threads_page.page.evaluate("([b, t, s]) => runCase(b, t, s)", [bundle, t, shapes])
                for t in THREADS}
        for t, got in runs.items():
            assert got["backend"] == "wasm" and got["threads"] == t, (bundle, t, got["reason"])
            for shape, out, one in zip(shapes, got["outs"], runs[1]["outs"], strict=True):
                assert out == one, f"{bundle} {shape}: {t} threads do not give the bits of 1 thread"
        assert runs[4]["workers"]["live"] == 0, runs[4]["workers"]  # dispose() ended the workers
    assert threads_page.errors == []


@pytest.mark.parametrize("model", MODELS)
def test_threaded_results_match_the_python_runner(threads_page: Any, fixtures_dir: Path, model: str) -> None:
    for dtype in DTYPES:
        bundle = f"{model}-{dtype}"
        case = _fixture_case(fixtures_dir, bundle)
        x = np.fromfile(fixtures_dir / case["input"], "<f4")
        want = np.fromfile(fixtures_dir / case["output"], "<f4")
        tolerance = json.loads((fixtures_dir / bundle / "model.json").read_text())["selftest"]["tolerance"]
        got = threads_page.page.evaluate("([b, t, s, d]) => runCase(b, t, s, d)",
                                         [bundle, 4, [case["inputShape"]], x.tolist()])
        assert got["threads"] == 4, got["reason"]
        np.testing.assert_allclose(np.asarray(got["outs"][0], np.float32), want, rtol=tolerance["rtol"],
                                   atol=tolerance["atol"], err_msg=f"{bundle} on 4 threads vs the Python runner")
    assert threads_page.errors == []
