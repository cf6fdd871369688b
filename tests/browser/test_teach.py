"""The demo page's "Teach it your handwriting" panel in headless Chromium: shapes drawn with the mouse on
the page's pad, labelled and added through the panel's controls, fine-tune the trainable bundle in the page
(wasm) until the page's accuracy on them rises and its loss falls; Cancel stops a run between steps; the
downloaded zip is a bundle Python's ``wg.load_model`` reads and that predicts what the page said; and
without a trainable bundle the panel is off and says how to export one."""

from __future__ import annotations

import io
import json
import math
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

# Strokes in pad coordinates (0-1), each a list of points; labelled on purpose with digits the MNIST model
# does not see in them, so the accuracy before training is low and can only rise by learning.
Stroke = list[tuple[float, float]]


def _line(x0: float, y0: float, x1: float, y1: float, n: int = 10) -> Stroke:
    return [(x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n) for i in range(n + 1)]


def _circle(cx: float, cy: float, r: float, n: int = 24) -> Stroke:
    return [(cx + r * math.cos(2 * math.pi * i / n), cy + r * math.sin(2 * math.pi * i / n)) for i in range(n + 1)]


SHAPES: list[tuple[str, list[Stroke]]] = []
for dx in (-0.08, 0.0, 0.08):
    SHAPES += [
        ("7", [_line(0.5 + dx, 0.2, 0.5 + dx, 0.8)]),  # a vertical bar
        ("4", [_line(0.2, 0.5 + dx, 0.8, 0.5 + dx)]),  # a horizontal bar
        ("2", [_circle(0.5 + dx, 0.5, 0.25 - abs(dx))]),  # a ring
        ("9", [_line(0.3 + dx, 0.2, 0.3 + dx, 0.75) + _line(0.3 + dx, 0.75, 0.75 + dx, 0.75)[1:]]),  # an L
    ]


def _draw(page: Any, strokes: list[Stroke]) -> None:
    """Draws the strokes on the page's pad with the mouse (scrolled into view first, as a user would: the
    panel's buttons are further down the page)."""
    page.locator("#pad").scroll_into_view_if_needed()
    box = page.locator("#pad").bounding_box()
    for stroke in strokes:
        at = [(box["x"] + box["width"] * x, box["y"] + box["height"] * y) for x, y in stroke]
        page.mouse.move(*at[0])
        page.mouse.down()
        for point in at[1:]:
            page.mouse.move(*point, steps=2)
        page.mouse.up()


def _add_examples(page: Any, shapes: list[tuple[str, list[Stroke]]]) -> None:
    for label, strokes in shapes:
        _draw(page, strokes)
        page.select_option("#teach-label", label)
        page.click("#teach-add")
    page.wait_for_function(f"window.webgradDemo.teach.state().examples.length === {len(shapes)}")


def _teach(page: Any) -> dict[str, Any]:
    return page.evaluate("window.webgradDemo.teach.state()")


def _open(page: Any, url: str) -> dict[str, Any]:
    state = page.open_demo(f"{url}?backend=wasm")
    assert state["message"] == "", state
    return state


def test_fine_tunes_on_drawn_digits(page: Any, teach_url: str, artifacts: Path) -> None:
    _open(page, teach_url)
    p = page.page
    assert _teach(p)["bundle"] == "tiny_cnn-trainable"
    assert p.locator("#teach-controls").is_visible() and p.locator("#teach-off").is_hidden()
    assert p.locator("#teach-train").is_disabled()  # nothing to train on yet
    _add_examples(p, SHAPES)
    assert [e["label"] for e in _teach(p)["examples"]] == [int(label) for label, _ in SHAPES]
    assert "12 examples: 3× 2, 3× 4, 3× 7, 3× 9" in p.locator("#teach-count").inner_text()  # noqa: RUF001
    p.fill("#teach-epochs", "30")
    p.click("#teach-train")
    p.wait_for_function("(s => !s.busy && s.run !== null)(window.webgradDemo.teach.state())", timeout=120000)
    state = _teach(p)
    run = state["run"]
    assert state["error"] == "" and not run["cancelled"] and run["steps"] == 30, state
    before, after = run["before"], run["after"]
    assert after["loss"] < before["loss"] / 2, run
    assert after["accuracy"] > before["accuracy"] and after["accuracy"] >= 0.75, run
    assert len(state["losses"]) == 30 and state["losses"][-1] < state["losses"][0]
    assert state["backend"] == "wasm" and "on wasm" in state["status"], state
    # what the page shows: the result sentence, the progress bar at its end, each example's before -> after
    result = p.locator("#teach-result").inner_text()
    assert f"before accuracy {before['accuracy']:.1%}" in result and f"after accuracy {after['accuracy']:.1%}" in result
    assert p.locator("#teach-progress").evaluate("e => e.value === e.max && e.max === 30")
    correct_after = sum(e["after"] == e["label"] for e in state["examples"])
    assert correct_after == round(after["accuracy"] * len(SHAPES))
    assert p.locator("#teach-examples li").count() == len(SHAPES)
    p.screenshot(path=str(artifacts / "demo-teach.png"), full_page=True)
    assert page.errors == []


def test_download_is_a_bundle_python_loads(page: Any, teach_url: str, trainable_bundle_dir: Path,
                                           tmp_path: Path) -> None:
    import webgrad as wg

    _open(page, teach_url)
    p = page.page
    assert p.locator("#teach-download").is_disabled()
    _add_examples(p, SHAPES[:4])
    p.fill("#teach-epochs", "5")
    p.click("#teach-train")
    p.wait_for_function("(s => !s.busy && s.run !== null)(window.webgradDemo.teach.state())", timeout=120000)
    with p.expect_download() as info:
        p.click("#teach-download")
    download = info.value
    assert download.suggested_filename == "tiny_cnn-finetuned.zip"
    with zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes())) as z:
        assert z.testzip() is None  # every CRC right
        names = sorted(z.namelist())
        z.extractall(tmp_path)
    assert names[0] == "tiny_cnn-finetuned/model.json"
    assert all(n.startswith("tiny_cnn-finetuned/weights-") for n in names[1:])
    folder = tmp_path / "tiny_cnn-finetuned"
    manifest = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    exported = json.loads((trainable_bundle_dir / "tiny_cnn-trainable" / "model.json").read_text(encoding="utf-8"))
    steps = manifest["training"]["state"]["iterations"] - exported["training"]["state"]["iterations"]
    assert manifest["formatVersion"] == 2 and steps == 5  # Adam's state carried on from the export
    state = _teach(p)
    x = np.array([e["pixels"] for e in state["examples"]], np.float32).reshape(-1, 28, 28, 1) / np.float32(255)
    predicted = wg.load_model(str(folder)).predict(x).argmax(-1)
    assert predicted.tolist() == [e["after"] for e in state["examples"]]
    assert page.errors == []


def test_cancel_stops_between_steps(page: Any, teach_url: str) -> None:
    _open(page, teach_url)
    p = page.page
    _add_examples(p, SHAPES[:2])
    p.fill("#teach-epochs", "500")
    p.click("#teach-train")
    assert p.evaluate("document.activeElement.id") == "teach-cancel"  # focus stays on a live control
    p.wait_for_function("window.webgradDemo.teach.state().losses.length >= 3", timeout=60000)
    p.keyboard.press("Enter")  # Cancel, from the keyboard
    p.wait_for_function("(s => !s.busy && s.run !== null)(window.webgradDemo.teach.state())", timeout=60000)
    state = _teach(p)
    assert state["run"]["cancelled"] and 3 <= state["run"]["steps"] < 500, state["run"]
    assert state["status"].startswith(f"Cancelled after {state['run']['steps']} of 500 steps"), state["status"]
    assert state["error"] == "" and p.locator("#teach-train").is_enabled() and p.locator("#teach-cancel").is_disabled()
    assert page.errors == []


def test_keyboard_and_errors_on_the_page(page: Any, teach_url: str) -> None:
    _open(page, teach_url)
    p = page.page
    for control in ("teach-label", "teach-epochs"):
        assert p.locator(f"label[for={control}]").count() == 1
    p.click("#teach-add")  # nothing drawn: said on the page, not only in the console
    error = p.locator("#teach-error")
    assert error.is_visible() and "Nothing drawn" in error.inner_text() and error.get_attribute("role") == "alert"
    _draw(p, SHAPES[0][1])
    p.locator("#pad").focus()
    p.keyboard.press("3")  # a digit key on the pad adds the drawing as that digit
    p.wait_for_function("window.webgradDemo.teach.state().examples.length === 1")
    assert _teach(p)["examples"][0]["label"] == 3 and error.is_hidden()
    p.fill("#teach-epochs", "0")
    p.click("#teach-train")
    assert "Epochs must be a whole number" in error.inner_text()
    p.locator("#teach-examples button").click()  # each example can be removed
    assert _teach(p)["examples"] == [] and p.locator("#teach-train").is_disabled()
    assert page.errors == []


def test_panel_off_without_a_trainable_bundle(page: Any, demo_url: str) -> None:
    state = page.open_demo(f"{demo_url}?backend=wasm")
    p = page.page
    assert state["bundle"] == "tiny_cnn-float32" and state["message"] == ""
    off = p.locator("#teach-off")
    assert off.is_visible() and "trainable=True" in off.inner_text() and "scripts/main.sh" in off.inner_text()
    assert p.locator("#teach-controls").is_hidden() and _teach(p)["bundle"] is None
    assert page.errors == []


def test_index_marks_the_trainable_bundle(trainable_bundle_dir: Path) -> None:
    from demo_app import create_app

    index = create_app(bundle_dir=trainable_bundle_dir).test_client().get("/api/bundles").get_json()
    entries = {b["name"]: b for b in index["bundles"]}
    assert {n: (b["model"], b["trainable"]) for n, b in entries.items()} == {
        "tiny_cnn-float32": ("tiny_cnn", False), "tiny_cnn-int8": ("tiny_cnn", False),
        "tiny_cnn-trainable": ("tiny_cnn", True)}
