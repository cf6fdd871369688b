"""The demo page in headless Chromium: real MNIST digits through the page's own canvas input path on
each backend, the bundle switch, pointer drawing, keyboard access, and what the page says when a
bundle is missing or corrupt or the browser has no WebGPU."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from demo_app import create_app

MIN_CORRECT = 18


def _classify_all(page: Any, digits: np.ndarray) -> list[dict[str, Any]]:
    """Draws each 28x28 digit onto the page's canvas (the page's drawImage hook) and returns the results."""
    return page.page.evaluate(
        "async (images) => { const out = []; for (const px of images) out.push(await window.webgradDemo.drawImage(px));"
        " return out; }", [d.ravel().tolist() for d in digits])


def _unavailable_reason(state: dict[str, Any], backend: str) -> str | None:
    info = next((b for b in state["backends"] if b["name"] == backend), None)
    if info is None:
        return f"the page lists no {backend} backend"
    return None if info["available"] else info["reason"]


@pytest.mark.parametrize("backend", ["js", "wasm", "webgpu"])
def test_mnist_digits_on_each_backend(page: Any, demo_url: str, mnist_digits: Any, artifacts: Path,
                                      backend: str) -> None:
    images, labels = mnist_digits
    state = page.open_demo(f"{demo_url}?backend={backend}")
    reason = _unavailable_reason(state, backend)
    if reason is not None:
        assert backend in state["message"] and reason in state["message"]  # the page says why
        pytest.skip(f"{backend} unavailable in this Chromium, as the page reports: {reason}")
    assert state["backend"] == backend and state["bundle"] == "tiny_cnn-float32", state
    results = _classify_all(page, images)
    predicted = [r["top"][0]["label"] for r in results]
    correct = sum(p == str(y) for p, y in zip(predicted, labels, strict=True))
    assert correct >= MIN_CORRECT, f"{backend}: {correct}/20 correct; predicted {predicted}, labels {labels.tolist()}"
    assert all(r["backend"] == backend and r["latencyMs"] > 0 and len(r["top"]) == 3 for r in results)
    latency = page.page.locator("#latency").inner_text()
    assert f"on {backend}" in latency, latency
    assert page.page.locator("#prediction").inner_text().startswith(f"Prediction: {predicted[-1]}")
    print(f"{backend}: {correct}/20, median page latency {np.median([r['latencyMs'] for r in results]):.3f} ms")
    page.page.screenshot(path=str(artifacts / f"demo-{backend}.png"), full_page=True)
    assert page.errors == []


def test_int8_bundle_switch_and_model_card(page: Any, demo_url: str, mnist_digits: Any) -> None:
    images, labels = mnist_digits
    page.open_demo(f"{demo_url}?backend=wasm")
    state = page.page.evaluate("window.webgradDemo.setBundle('tiny_cnn-int8')")
    assert state["bundle"] == "tiny_cnn-int8" and state["message"] == "", state
    predicted = [r["top"][0]["label"] for r in _classify_all(page, images)]
    assert sum(p == str(y) for p, y in zip(predicted, labels, strict=True)) >= MIN_CORRECT, predicted
    card = page.page.locator("#card").inner_text()
    for fact in ("input_layer: float32 N×28×28×1", "Conv2D ×2", "int8_symmetric", "float32 ", "int8 ",  # noqa: RUF001
                 "Test accuracy", "Exported", "webgrad-bundle v1"):
        assert fact in card, (fact, card)
    assert page.errors == []


def test_pointer_drawing_classifies_a_one(page: Any, demo_url: str) -> None:
    page.open_demo(f"{demo_url}?backend=wasm")
    box = page.page.locator("#pad").bounding_box()
    x = box["x"] + box["width"] / 2
    page.page.mouse.move(x, box["y"] + box["height"] * 0.15)
    page.page.mouse.down()
    for i in range(1, 11):
        page.page.mouse.move(x + i * 0.5, box["y"] + box["height"] * (0.15 + 0.07 * i))
    page.page.mouse.up()
    page.page.wait_for_function("document.querySelector('#prediction').textContent.startsWith('Prediction')")
    assert page.page.locator("#digit").inner_text() == "1"
    assert page.page.locator("#chart li").count() == 3
    page.page.locator("#pad").focus()
    page.page.keyboard.press("Escape")  # the pad clears from the keyboard too
    page.page.wait_for_function("document.querySelector('#prediction').textContent === 'Nothing drawn yet.'")
    assert page.errors == []


def test_controls_are_labelled_and_keyboard_reachable(page: Any, demo_url: str) -> None:
    page.open_demo(demo_url)
    order = []
    for _ in range(4):
        page.page.keyboard.press("Tab")
        order.append(page.page.evaluate("document.activeElement.id"))
    assert order == ["pad", "clear", "backend", "bundle"], order
    for control in ("backend", "bundle"):
        assert page.page.locator(f"label[for={control}]").count() == 1
    assert page.page.locator("#pad").get_attribute("aria-label")
    assert page.page.locator("#prediction").get_attribute("aria-live") == "polite"
    page.page.keyboard.press("Shift+Tab")
    page.page.keyboard.press("Shift+Tab")
    page.page.keyboard.press("Shift+Tab")
    page.page.keyboard.press("Space")  # the Clear button works from the keyboard
    page.page.wait_for_function("document.querySelector('#prediction').textContent === 'Nothing drawn yet.'")
    assert page.errors == []


def test_auto_falls_back_without_webgpu(launch: Any, new_page: Any, demo_url: str, mnist_digits: Any) -> None:
    page = new_page(launch(webgpu=False, extra=("--disable-webgpu",)))
    state = page.open_demo(demo_url)
    assert state["backend"] in ("wasm", "js") and state["request"] == "auto"
    reason = _unavailable_reason(state, "webgpu")
    assert reason, "webgpu reported available in a browser started with --disable-webgpu"
    assert "webgpu" in state["backendReason"], state["backendReason"]  # auto says why webgpu was passed over
    status = page.page.locator("#backend-status").inner_text()
    assert f"on {state['backend']}" in status and "webgpu" in status, status
    assert "unavailable" in page.page.locator("#backend-list li[data-backend=webgpu]").inner_text()
    images, labels = mnist_digits
    predicted = [r["top"][0]["label"] for r in _classify_all(page, images[:5])]
    assert sum(p == str(y) for p, y in zip(predicted, labels[:5], strict=True)) >= 4
    chosen = page.page.evaluate("window.webgradDemo.setBackend('webgpu')")
    assert chosen["backend"] == state["backend"], "the running model is kept when webgpu cannot start"
    assert "Could not load" in chosen["message"] and "webgpu" in chosen["message"], chosen["message"]
    assert page.errors == []


def test_missing_bundle_directory_page_says_so(page: Any, serve: Any, tmp_path: Path) -> None:
    url = serve(create_app(bundle_dir=tmp_path / "no-bundles-here"))
    state = page.open_demo(url)
    assert state["bundle"] is None and "does not exist" in state["message"], state
    assert "No model loaded" in page.page.locator("#prediction").inner_text()
    assert page.page.locator("#message").is_visible()


def test_corrupt_bundle_page_says_so(page: Any, serve: Any, bundle_copy: Path) -> None:
    shard = bundle_copy / "tiny_cnn-int8" / "weights-000.bin"
    data = bytearray(shard.read_bytes())
    data[-1] ^= 0x01
    shard.write_bytes(bytes(data))
    url = serve(create_app(bundle_dir=bundle_copy))
    state = page.open_demo(f"{url}?backend=wasm")
    assert state["bundle"] == "tiny_cnn-float32" and "tiny_cnn-int8" in state["message"], state  # healthy one runs
    assert "(broken)" in page.page.locator("#bundle option[value='tiny_cnn-int8']").inner_text()
    chosen = page.page.evaluate("window.webgradDemo.setBundle('tiny_cnn-int8')")
    assert chosen["bundle"] == "tiny_cnn-float32", "the healthy model keeps running"
    assert "Could not load tiny_cnn-int8" in chosen["message"] and "ECHECKSUM" in chosen["message"], chosen["message"]
    assert "sha256 mismatch" in chosen["message"]  # the server's own check, next to the loader's
    result = page.page.evaluate("window.webgradDemo.drawImage(new Array(784).fill(0).map((_, i) => "
                                "(i % 28 > 12 && i % 28 < 16 && i > 150 && i < 640) ? 255 : 0))")
    assert result["bundle"] == "tiny_cnn-float32" and result["top"][0]["label"] == "1"
