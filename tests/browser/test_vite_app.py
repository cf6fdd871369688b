"""The npm package in a web app: a minimal Vite app (tests/vite_app) that depends on the local package
(``"webgrad": "file:../../js_runtime"``) is installed with ``npm ci``, built with ``vite build`` in a
temporary copy, served as static files and run in Chromium: it must load a bundle on the wasm backend
and classify a digit, which proves the package's ``.wasm`` files are found and emitted by a bundler."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.middleware.shared_data import SharedDataMiddleware

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "tests" / "vite_app"
NETWORK_ERRORS = ("ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNREFUSED", "ECONNRESET", "ENETUNREACH")


def _run(cmd: list[str], cwd: Path, timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def built_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``tests/vite_app`` copied next to a link to ``js_runtime`` (so ``file:../../js_runtime`` resolves as
    in the repository), installed with ``npm ci`` and built; returns its ``dist/``."""
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    root = tmp_path_factory.mktemp("vite")
    app = root / "tests" / "vite_app"
    shutil.copytree(APP, app, ignore=shutil.ignore_patterns("node_modules", "dist"))
    (root / "js_runtime").symlink_to(REPO / "js_runtime", target_is_directory=True)
    ci = _run(["npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"], app, timeout=300)
    if ci.returncode != 0:
        if any(code in ci.stderr for code in NETWORK_ERRORS):
            pytest.skip(f"npm ci could not reach the package registry: {ci.stderr.strip()[-300:]}")
        pytest.fail(f"npm ci failed:\n{ci.stdout}\n{ci.stderr}")
    build = _run([str(app / "node_modules" / ".bin" / "vite"), "build"], app, timeout=180)
    assert build.returncode == 0, f"vite build failed:\n{build.stdout}\n{build.stderr}"
    return app / "dist"


def test_vite_build_emits_the_wasm_assets(built_app: Path) -> None:
    emitted = sorted(p.name for p in (built_app / "assets").glob("*.wasm"))
    assert any(n.startswith("webgrad-simd") for n in emitted), emitted
    assert any(n.startswith("webgrad-relaxed") for n in emitted), emitted


def test_vite_app_classifies_a_digit_on_wasm(built_app: Path, bundle_dir: Path, mnist_digits: Any, serve: Any,
                                             new_page: Any, browser: Any) -> None:
    images, labels = mnist_digits
    shutil.copytree(bundle_dir / "tiny_cnn-float32", built_app / "bundle")
    (built_app / "digit.json").write_text(json.dumps({"pixels": images[0].ravel().tolist()}), encoding="utf-8")
    url = serve(SharedDataMiddleware(NotFound(), {"/": str(built_app)}))
    page = new_page(browser)
    wasm_fetched: list[tuple[str, int, str]] = []
    page.page.on("response", lambda r: wasm_fetched.append((r.url, r.status, r.headers.get("content-type", "")))
                 if r.url.endswith(".wasm") else None)
    page.page.goto(f"{url}index.html")
    page.page.wait_for_selector("#result[data-label], #result[data-error]", timeout=20000)
    result = page.page.locator("#result")
    assert result.get_attribute("data-error") is None, result.inner_text()
    assert result.get_attribute("data-backend") == "wasm", result.inner_text()
    assert result.get_attribute("data-label") == str(labels[0]), result.inner_text()
    assert wasm_fetched and all("/assets/" in u and s == 200 for u, s, _ in wasm_fetched), wasm_fetched
    assert page.errors == []
