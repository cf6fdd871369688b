"""The demo page's "Text" panel (issue 18) in headless Chromium: sentences typed into the panel are
classified by a text bundle (with its tokenizer) as Python's runner classifies them, the tokens shown are
the tokenizer's, and the page logs no console errors; without a text bundle the panel says how to make one.
Also the server side: ``/api/text-bundles`` lists the bundles of ``<bundle dir>/text/`` and serves their
files (tokenizer.json included) under ``text-bundles/``, apart from the digits' list.

The page is served with a package whose dist/ is built from the current js_runtime/src into a temporary
folder (``fresh_package``), so the test does not depend on js_runtime/dist/ being current.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

POSITIVE = ["a great film with a great cast", "what a delightful movie", "great fun and a wonderful story",
            "a moving and wonderful film", "delightful acting"]
NEGATIVE = ["a dull and boring film", "terrible, just terrible", "boring plot and dull acting",
            "a tedious mess", "dull"]
TYPED = ["What a GREAT, delightful film!", "Dull, tedious and boring.", "unseen words only"]
TEXT_MODEL = "tiny_sentiment-int8"


@pytest.fixture(scope="session")
def text_bundle_dir(tmp_path_factory: pytest.TempPathFactory, bundle_dir: Path) -> Path:
    """The session's digit bundles plus ``text/tiny_sentiment-int8``: a small sentiment model (TextVectorization
    -> Embedding(mask_zero) -> mean -> softmax) trained on ten sentences, exported int8 with its tokenizer."""
    import webgrad as wg

    root = tmp_path_factory.mktemp("bundles-text")
    shutil.copytree(bundle_dir, root, dirs_exist_ok=True)
    wg.set_seed(0)
    texts, labels = POSITIVE + NEGATIVE, np.array([1] * len(POSITIVE) + [0] * len(NEGATIVE))
    vectorize = wg.layers.TextVectorization(max_tokens=64, output_sequence_length=12)
    vectorize.adapt(texts)
    model = wg.Sequential([wg.Input((1,), dtype="string", name="text"), vectorize,
                           wg.layers.Embedding(64, 8, mask_zero=True), wg.layers.GlobalAveragePooling1D(),
                           wg.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=wg.optimizers.Adam(5e-2), loss="sparse_categorical_crossentropy")
    model.fit(texts, labels, epochs=40, batch_size=10, verbose=0)
    wg.export(model, root / "text" / TEXT_MODEL, quantize="int8", labels=["negative", "positive"], verbose=0)
    return root


@pytest.fixture(scope="session")
def text_url(serve: Callable[[Any], str], text_bundle_dir: Path, fresh_package: Path) -> str:
    from demo_app import create_app

    return serve(create_app(bundle_dir=text_bundle_dir, package_dir=fresh_package))


def test_server_lists_and_serves_text_bundles(text_bundle_dir: Path) -> None:
    from demo_app import create_app

    client = create_app(bundle_dir=text_bundle_dir).test_client()
    listed = client.get("/api/text-bundles").get_json()["bundles"]
    assert [(b["name"], b["url"], b["ok"]) for b in listed] == [(TEXT_MODEL, f"text-bundles/{TEXT_MODEL}/", True)]
    assert TEXT_MODEL not in [b["name"] for b in client.get("/api/bundles").get_json()["bundles"]]
    served = client.get(f"/text-bundles/{TEXT_MODEL}/tokenizer.json")
    assert served.status_code == 200
    assert served.data == (text_bundle_dir / "text" / TEXT_MODEL / "tokenizer.json").read_bytes()
    assert client.get(f"/text-bundles/{TEXT_MODEL}/../{TEXT_MODEL}/model.json").status_code == 404


def test_text_panel_classifies_typed_sentences(browser: Any, new_page: Callable[[Any], Any], text_url: str,
                                               text_bundle_dir: Path) -> None:
    from webgrad.exporter.runner import load_bundle

    runner = load_bundle(text_bundle_dir / "text" / TEXT_MODEL)
    expected = np.asarray(runner.predict(TYPED))
    ids = np.asarray(runner.tokenize(TYPED))
    log = new_page(browser)
    log.page.goto(text_url)
    log.page.wait_for_function("window.webgradText !== undefined", timeout=15000)
    ready = log.page.evaluate("window.webgradText.ready")
    assert ready["bundle"] == TEXT_MODEL and ready["backend"] == "wasm", ready
    for text, probs, row in zip(TYPED, expected, ids, strict=True):
        shown = log.page.evaluate("(t) => window.webgradText.type(t)", text)
        label = ["negative", "positive"][int(np.argmax(probs))]
        assert shown["label"] == label, (text, shown, probs)
        assert shown["probability"] == pytest.approx(float(probs.max()), abs=1e-4)
        assert len(shown["tokens"]) == int((row != 0).sum())  # the non-padding tokens, one chip each
        assert log.page.locator("#text-prediction strong").inner_text() == label
    assert "[UNK]" in shown["tokens"]  # "unseen words only": every word is out of the vocabulary
    assert "ms" in log.page.locator("#text-latency").inner_text()
    assert log.errors == []


def test_text_panel_without_a_text_bundle_says_how_to_make_one(
    browser: Any, new_page: Callable[[Any], Any], serve: Callable[[Any], str], bundle_dir: Path, fresh_package: Path
) -> None:
    from demo_app import create_app

    log = new_page(browser)
    log.page.goto(serve(create_app(bundle_dir=bundle_dir, package_dir=fresh_package)))
    log.page.wait_for_function("window.webgradText !== undefined", timeout=15000)
    assert log.page.evaluate("window.webgradText.ready")["bundle"] is None
    assert "scripts/main.sh" in log.page.locator("#text-off").inner_text()
    assert log.errors == []
