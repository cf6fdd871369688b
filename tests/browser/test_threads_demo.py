"""The demo page runs threaded (issue 17): the demo server's COOP/COEP headers make the page
cross-origin isolated, so the wasm backend runs on a pool of Web Workers; the status line shows the
thread count next to the backend, real MNIST digits get the same probabilities (bit for bit) on 2 threads
as on 1, every request the page makes succeeds under ``require-corp`` and nothing is logged as an error.
The package served is built from ``js_runtime/src`` now (the session's ``fresh_package``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="module")
def threaded_demo_url(fresh_package: Path, serve: Any, bundle_dir: Path) -> str:
    """The demo server over the session's bundles, serving the package built from src now."""
    from demo_app import create_app

    return serve(create_app(bundle_dir=bundle_dir, package_dir=fresh_package))


def _classify(page: Any, digits: Any) -> list[dict[str, Any]]:
    return page.page.evaluate(
        "async (images) => { const out = []; for (const px of images) out.push(await window.webgradDemo.drawImage(px));"
        " return out; }", [d.ravel().tolist() for d in digits])


def _watch(page: Any) -> tuple[list[str], list[tuple[str, int, dict[str, str]]]]:
    """Records failed requests and every response (url, status, headers) of ``page``."""
    failed: list[str] = []
    responses: list[tuple[str, int, dict[str, str]]] = []
    page.page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
    page.page.on("response", lambda r: responses.append((r.url, r.status, r.headers)))
    return failed, responses


def test_demo_runs_threaded_with_the_same_bits_as_one_thread(threaded_demo_url: str, new_page: Any, browser: Any,
                                                            mnist_digits: Any) -> None:
    images, labels = mnist_digits
    results = {}
    for threads in (1, 2):
        page = new_page(browser)
        failed, responses = _watch(page)
        state = page.open_demo(f"{threaded_demo_url}?backend=wasm&threads={threads}")
        assert state["crossOriginIsolated"] is True, state
        assert state["backend"] == "wasm" and state["threads"] == threads, state
        shown = page.page.locator("#threads")
        assert shown.get_attribute("data-threads") == str(threads)
        assert f"on wasm, {threads} thread" in page.page.locator("#backend-status").inner_text()
        results[threads] = _classify(page, images[:8])
        assert [r["top"][0]["label"] for r in results[threads]].count(None) == 0
        assert failed == [] and page.errors == [], (failed, page.errors)
        # the page's own requests (package, worker, .wasm, bundles, API) all came with the isolation headers
        ours = [(u, h) for u, s, h in responses if u.startswith(threaded_demo_url) and s == 200]
        assert any("/webgrad/dist/workers/" in u for u, _ in ours) == (threads > 1), [u for u, _ in ours]
        for url, headers in ours:
            assert headers.get("cross-origin-embedder-policy") == "require-corp", url
            assert headers.get("cross-origin-resource-policy") == "same-origin", url
    for one, two in zip(results[1], results[2], strict=True):
        assert one["top"] == two["top"], "2 threads do not give the bits of 1 thread"
    correct = sum(r["top"][0]["label"] == str(y) for r, y in zip(results[2], labels[:8], strict=True))
    assert correct >= 7, [r["top"][0]["label"] for r in results[2]]


def test_demo_takes_the_cores_by_default(threaded_demo_url: str, new_page: Any, browser: Any) -> None:
    page = new_page(browser)
    state = page.open_demo(f"{threaded_demo_url}?backend=wasm")
    cores = page.page.evaluate("navigator.hardwareConcurrency")
    assert state["threads"] == max(1, min(cores, 4)), state  # 'auto': the cores, capped at 4 (support.js)
    assert "thread" in state["backendReason"], state["backendReason"]
    assert page.errors == []
