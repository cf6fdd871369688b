"""Fixtures for the real-browser tests: one small MNIST CNN trained once per session and exported as
float32 and int8 bundles (and, for the teaching panel, a trainable one), the demo server on a free port
(in a thread), one headless Debian Chromium per session (with WebGPU on SwiftShader), and 20 real MNIST
test digits."""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # demo_app is a folder of the repository, not an installed package
    sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).parent))
from _threads_support import build_fresh_package  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
BASE_ARGS = ["--no-sandbox", "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-quic"]
WEBGPU_ARGS = ["--enable-unsafe-webgpu"]
ARTIFACTS = REPO / "build" / "test-artifacts"
MODEL = "tiny_cnn"
N_DIGITS = 20


@pytest.fixture(scope="session")
def mnist_digits() -> tuple[np.ndarray, np.ndarray]:
    """The first 20 MNIST test digits (uint8 28x28) and their labels."""
    import webgrad as wg

    (_, _), (xt, yt) = wg.datasets.mnist()
    return xt[:N_DIGITS], yt[:N_DIGITS]


@pytest.fixture(scope="session")
def tiny_cnn() -> tuple[Any, float]:
    """A small CNN trained one epoch on 30,000 MNIST digits (~10 s on 2 cores, ~97% test accuracy), compiled
    with Adam and sparse categorical cross-entropy, and its accuracy on 2,000 test digits."""
    import webgrad as wg

    wg.set_seed(0)
    (x, y), (xt, yt) = wg.datasets.mnist()
    x = x[:30000].reshape(-1, 28, 28, 1) / np.float32(255)
    model = wg.Sequential([
        wg.layers.Input((28, 28, 1)),
        wg.layers.Conv2D(16, 3, activation="relu"), wg.layers.MaxPooling2D(2),
        wg.layers.Conv2D(32, 3, activation="relu"), wg.layers.MaxPooling2D(2),
        wg.layers.Flatten(), wg.layers.Dense(10, activation="softmax")], name=MODEL)
    model.compile(optimizer=wg.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y[:30000], batch_size=32, epochs=1, verbose=0)
    _, accuracy = model.evaluate(xt[:2000].reshape(-1, 28, 28, 1) / np.float32(255), yt[:2000], verbose=0)
    return model, accuracy


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory, tiny_cnn: tuple[Any, float]) -> Path:
    """A directory with ``tiny_cnn-float32`` and ``tiny_cnn-int8`` (the ``tiny_cnn`` fixture's model), plus its
    train result file (the test accuracy per bundle, as ``webgrad train --json`` writes it)."""
    import webgrad as wg

    model, accuracy = tiny_cnn
    root = tmp_path_factory.mktemp("bundles")
    result: dict[str, Any] = {"model": MODEL, "test_accuracy": accuracy, "bundles": {}}
    for quantize in (None, "int8"):
        path = root / f"{MODEL}-{quantize or 'float32'}"
        wg.export(model, str(path), quantize=quantize, labels=[str(d) for d in range(10)],
                  preprocessing={"scale": 1 / 255}, verbose=0)
        result["bundles"][quantize or "float32"] = {"path": str(path), "accuracy": accuracy}
    (root / f"{MODEL}_result.json").write_text(json.dumps(result), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def trainable_bundle_dir(tmp_path_factory: pytest.TempPathFactory, bundle_dir: Path,
                         tiny_cnn: tuple[Any, float]) -> Path:
    """The session's bundles plus ``tiny_cnn-trainable``: the same model exported trainable (formatVersion 2,
    float32, its compiled Adam and loss), what the demo page's teaching panel fine-tunes."""
    import webgrad as wg

    root = tmp_path_factory.mktemp("bundles-trainable")
    shutil.copytree(bundle_dir, root, dirs_exist_ok=True)
    wg.export(tiny_cnn[0], str(root / f"{MODEL}-trainable"), trainable=True, labels=[str(d) for d in range(10)],
              preprocessing={"scale": 1 / 255}, verbose=0)
    return root


@pytest.fixture
def bundle_copy(bundle_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the session's bundles, for tests that break them."""
    dest = tmp_path / "bundles"
    shutil.copytree(bundle_dir, dest)
    return dest


@pytest.fixture(scope="session")
def serve() -> Iterator[Callable[[Any], str]]:
    """``serve(wsgi_app) -> base URL``: serves an app on a free port in a thread until the session ends."""
    from werkzeug.serving import make_server

    servers = []

    def start(app: Any) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def demo_url(serve: Callable[[Any], str], bundle_dir: Path) -> str:
    """The demo server over the session's bundles."""
    from demo_app import create_app

    return serve(create_app(bundle_dir=bundle_dir))


@pytest.fixture(scope="session")
def teach_url(serve: Callable[[Any], str], trainable_bundle_dir: Path) -> str:
    """The demo server over the session's bundles and the trainable one."""
    from demo_app import create_app

    return serve(create_app(bundle_dir=trainable_bundle_dir))


@pytest.fixture(scope="session")
def fresh_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The npm package as published, with dist/ built from js_runtime/src now (js_runtime/dist/ untouched),
    built once per session for every test that serves it."""
    return build_fresh_package(tmp_path_factory.mktemp("package") / "js_runtime")


@pytest.fixture(scope="session")
def launch(request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """``launch(webgpu=True)``: a headless Debian Chromium (closed at the end of the session), started
    from the session's one Playwright (tests/conftest.py)."""
    browsers: list[Any] = []

    def start(webgpu: bool = True, extra: tuple[str, ...] = ()) -> Any:
        pw = request.getfixturevalue("playwright_session")  # skips without Chromium or Playwright
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=BASE_ARGS + (WEBGPU_ARGS if webgpu else []) + list(extra))
        browsers.append(browser)
        return browser

    yield start
    for browser in browsers:
        with contextlib.suppress(Exception):
            browser.close()


@pytest.fixture(scope="session")
def browser(launch: Callable[..., Any]) -> Any:
    """The session's Chromium, with WebGPU enabled (SwiftShader on a machine with no GPU)."""
    return launch(webgpu=True)


class PageLog:
    """A page with the console errors and uncaught exceptions it produced."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def open_demo(self, url: str) -> dict[str, Any]:
        """Opens the demo page, waits for its first model load; returns the page's state."""
        self.page.goto(url)
        self.page.wait_for_function("window.webgradDemo !== undefined", timeout=15000)
        return self.page.evaluate("window.webgradDemo.ready")


@pytest.fixture
def new_page() -> Iterator[Callable[[Any], PageLog]]:
    """``new_page(browser) -> PageLog``: a fresh page in its own context (no shared cache), closed after the test."""
    contexts: list[Any] = []

    def make(browser: Any) -> PageLog:
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        contexts.append(context)
        return PageLog(context.new_page())

    yield make
    for context in contexts:
        with contextlib.suppress(Exception):
            context.close()


@pytest.fixture
def page(browser: Any, new_page: Callable[[Any], PageLog]) -> PageLog:
    """A fresh page in the session's browser."""
    return new_page(browser)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots are kept (``build/test-artifacts/``, ignored by git)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
