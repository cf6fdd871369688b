"""The demo page's "Federated" panel in headless Chromium: two pages (two participants) add drawings to
the teaching panel, press Join, and one round of federated training on the demo server (the Python
``webgrad.federated.Server`` mounted under ``/fl/``) completes with both, the table showing the round's
participants and the global accuracy; no console errors. Without a federated server the panel says how to
turn it on; joining without drawings says what to do."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def src_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The npm package with its entry at src/index.js (dist/ is rebuilt from src/ only at release time, so
    it may not have FederatedClient yet): what the page imports as 'webgrad'."""
    root = tmp_path_factory.mktemp("package")
    shutil.copytree(REPO / "js_runtime" / "src", root / "src")
    shutil.copytree(REPO / "js_runtime" / "wasm", root / "wasm")
    (root / "package.json").write_text(json.dumps({
        "name": "webgrad", "version": "0.0.0-test", "type": "module",
        "exports": {".": {"import": "./src/index.js"}}, "files": ["src/", "wasm/*.wasm"]}), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def federated_demo(serve: Callable[[Any], str], trainable_bundle_dir: Path, src_package: Path) -> Callable[[], str]:
    """``federated_demo() -> URL``: a demo server with a fresh federated run of 1 round over the trainable
    bundle, 2 tabs a round."""
    from demo_app import create_app
    from demo_app.federated import FederatedDemo

    def start() -> str:
        demo = FederatedDemo(FederatedDemo.find_bundle(trainable_bundle_dir), rounds=1, clients_per_round=2,
                             settings={"epochs": 3}, eval_digits=200)
        return serve(create_app(bundle_dir=trainable_bundle_dir, package_dir=src_package, federated=demo))

    return start


@pytest.fixture(scope="module")
def plain_url(serve: Callable[[Any], str], trainable_bundle_dir: Path, src_package: Path) -> str:
    """The demo server without a federated run."""
    from demo_app import create_app

    return serve(create_app(bundle_dir=trainable_bundle_dir, package_dir=src_package))


def _open(page: Any, url: str) -> dict[str, Any]:
    state = page.open_demo(f"{url}?backend=wasm")
    assert state["message"] == "", state
    return page.page.evaluate("window.webgradFederated.ready.then(() => window.webgradFederated.state())")


def _add_drawings(page: Any, images: Any, labels: Any) -> None:
    """Paints each digit on the pad (the page's drawing hook) and adds it with the teaching panel's controls."""
    for px, label in zip(images, labels, strict=True):
        page.evaluate("(px) => window.webgradDemo.drawImage(px)", px.ravel().tolist())
        page.select_option("#teach-label", str(int(label)))
        page.click("#teach-add")
    page.wait_for_function(f"window.webgradDemo.teach.state().examples.length === {len(labels)}")


def test_two_pages_complete_a_round(browser: Any, new_page: Callable[[Any], Any],
                                    federated_demo: Callable[[], str], mnist_digits: Any) -> None:
    federated_url = federated_demo()
    images, labels = mnist_digits
    pages = [new_page(browser), new_page(browser)]
    for k, page in enumerate(pages):
        state = _open(page, federated_url)
        assert state["config"]["enabled"] and state["config"]["clientsPerRound"] == 2, state
        assert page.page.locator("#fl-controls").is_visible() and page.page.locator("#fl-off").is_hidden()
        _add_drawings(page.page, images[5 * k:5 * k + 5], labels[5 * k:5 * k + 5])
    for page in pages:
        page.page.click("#fl-join")
    for page in pages:
        page.page.wait_for_function(
            "(() => { const s = window.webgradFederated.state(); return s.mine.length === 1 && s.reports.length === 1"
            " && !s.joined; })()", timeout=60000)
    states = [p.page.evaluate("window.webgradFederated.state()") for p in pages]
    report = states[0]["reports"][0]
    assert report["participants"] == 2 and report["round"] == 1, report
    assert 0 <= report["eval"]["accuracy"] <= 1 and report["epsilon"] is None
    for s in states:
        assert s["error"] == "" and s["mine"][0]["numExamples"] == 5 and s["mine"][0]["accepted"], s
        assert "run is over" in s["status"], s
    assert len({s["clientId"] for s in states}) == 2 and {s["mine"][0]["round"] for s in states} == {1}
    row = pages[0].page.locator("#fl-rounds tbody tr").first.inner_text()
    assert row.split("\t")[:2] == ["1", "2"], row
    for page in pages:
        assert page.errors == [], page.errors


def test_panel_off_without_a_federated_server(page: Any, plain_url: str) -> None:
    state = _open(page, plain_url)
    assert state["config"] == {"enabled": False}
    assert page.page.locator("#fl-controls").is_hidden()
    assert "federated=True" in state["off"]
    assert page.errors == []


def test_join_without_drawings_says_what_to_do(page: Any, federated_demo: Callable[[], str]) -> None:
    _open(page, federated_demo())
    page.page.click("#fl-join")
    page.page.wait_for_function("window.webgradFederated.state().error !== ''")
    state = page.page.evaluate("window.webgradFederated.state()")
    assert "Add a few drawings" in state["error"] and not state["joined"]
    assert page.errors == []
