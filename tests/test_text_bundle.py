"""Text bundles (formatVersion 3): wg.export writes the TextVectorization as tokenizer.json (checked
against Hugging Face tokenizers), the Python runner and wg.load_model take texts and agree with the
model, quantized and trainable exports keep the tokenizer, and every export and reader error path of
the tokenizer section (the shared file cases are in tests/bundle_cases/tokenizer.json)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import webgrad as wg
from tests.text_corpora import edge_texts
from webgrad.exporter import BundleError, load_bundle
from webgrad.exporter.bundle_tokenizer import check_section
from webgrad.exporter.capture import CaptureError

TEXTS = ["a great film", "a terrible film", "great acting", "terrible plot", "what a great movie",
         "boring and terrible", "great great fun", "dull, boring!"] * 4
LABELS = np.array([1, 0, 1, 0, 1, 0, 1, 0] * 4)
PROBES = ["What a GREAT film!", "never seen these words", "", "boring " * 40, *edge_texts()]


def _model(vectorizer=None, vocab: int = 30) -> wg.Model:
    if vectorizer is None:
        vectorizer = wg.layers.TextVectorization(max_tokens=vocab, output_sequence_length=6)
        vectorizer.adapt(TEXTS)
    wg.set_seed(5)
    model = wg.Sequential([wg.Input((1,), dtype="string", name="review"), vectorizer, wg.layers.Embedding(vocab, 8),
                           wg.layers.GlobalAveragePooling1D(), wg.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=wg.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    model.fit(TEXTS, LABELS, epochs=3, verbose=0)
    return model


@pytest.fixture(scope="module")
def model() -> wg.Model:
    return _model()


@pytest.mark.parametrize(("quantize", "atol"), [(None, 1e-6), ("float16", 2e-3), ("int8", 2e-2)])
def test_export_then_runner_on_strings_equals_predict(model, tmp_path, quantize, atol):
    hf = pytest.importorskip("tokenizers")
    report = wg.export(model, tmp_path / "b", quantize=quantize, labels=["neg", "pos"],
                       validation_data=(TEXTS, LABELS), verbose=0)
    manifest = json.loads((tmp_path / "b" / "model.json").read_text())
    assert manifest["formatVersion"] == 3
    assert manifest["signature"]["inputs"] == [{"name": "review", "dtype": "int32", "shape": [None, 6]}]
    assert manifest["tokenizer"]["input"] == "review" and manifest["tokenizer"]["model"] == "WordLevel"
    assert tmp_path / "b" / "tokenizer.json" in report.files
    runner = load_bundle(tmp_path / "b")
    runner.selftest()
    np.testing.assert_allclose(runner.predict(PROBES), model.predict(PROBES, verbose=0), atol=atol)
    ref = hf.Tokenizer.from_file(str(tmp_path / "b" / "tokenizer.json"))
    assert runner.tokenize(PROBES).tolist() == [e.ids for e in ref.encode_batch(PROBES)]
    assert report.accuracy_bundle == report.accuracy_model


def test_export_is_deterministic(model, tmp_path):
    wg.export(model, tmp_path / "one", verbose=0)
    wg.export(model, tmp_path / "two", verbose=0)
    for name in ("model.json", "tokenizer.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_load_model_takes_texts_and_exports_again(model, tmp_path):
    wg.export(model, tmp_path / "b", verbose=0)
    loaded = wg.load_model(tmp_path / "b")
    assert loaded.inputs[0].dtype == "string"
    np.testing.assert_allclose(loaded.predict(PROBES, verbose=0), model.predict(PROBES, verbose=0), atol=1e-6)
    loaded.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    loaded.fit(TEXTS, LABELS, epochs=1, verbose=0)
    wg.export(loaded, tmp_path / "again", verbose=0)
    assert (tmp_path / "again" / "tokenizer.json").read_bytes() == (tmp_path / "b" / "tokenizer.json").read_bytes()
    np.testing.assert_allclose(load_bundle(tmp_path / "again").predict(PROBES), loaded.predict(PROBES, verbose=0),
                               atol=1e-6)


def test_trainable_text_bundle(model, tmp_path):
    wg.export(model, tmp_path / "t", trainable=True, verbose=0)
    manifest = json.loads((tmp_path / "t" / "model.json").read_text())
    assert manifest["formatVersion"] == 3 and "training" in manifest and "tokenizer" in manifest
    loaded = wg.load_model(tmp_path / "t")
    before = loaded.evaluate(TEXTS, LABELS, verbose=0)
    loaded.fit(TEXTS, LABELS, epochs=2, verbose=0)
    assert loaded.evaluate(TEXTS, LABELS, verbose=0) < before


def test_wordpiece_model_exports(tmp_path):
    hf = pytest.importorskip("tokenizers")
    wp = wg.text.WordPieceTokenizer.train(TEXTS, vocab_size=40, sequence_length=10)
    model = _model(wg.layers.TextVectorization.from_tokenizer(wp), vocab=40)
    wg.export(model, tmp_path / "wp", verbose=0)
    runner = load_bundle(tmp_path / "wp")
    assert runner.bundle.manifest["tokenizer"]["model"] == "WordPiece"
    ref = hf.Tokenizer.from_file(str(tmp_path / "wp" / "tokenizer.json"))
    assert runner.tokenize(PROBES).tolist() == [e.ids for e in ref.encode_batch(PROBES)]
    np.testing.assert_allclose(runner.predict(PROBES), model.predict(PROBES, verbose=0), atol=1e-6)


def test_inspect_shows_the_tokenizer(model, tmp_path):
    wg.export(model, tmp_path / "b", verbose=0)
    out = subprocess.run([sys.executable, "-m", "webgrad.cli", "inspect", str(tmp_path / "b")], capture_output=True,
                         text=True, check=True).stdout
    assert "tokenizer:    tokenizer.json" in out and "WordLevel" in out and "into 'review'" in out
    info = load_bundle(tmp_path / "b").inspect()["tokenizer"]
    assert info["normalizer"] == "Sequence[Lowercase, Replace]" and info["preTokenizer"] == "WhitespaceSplit"


def test_runner_input_errors(model, tmp_path):
    wg.export(model, tmp_path / "b", verbose=0)
    runner = load_bundle(tmp_path / "b")
    with pytest.raises(TypeError, match=r"input 'review'\[1\] is int"):
        runner.predict(["fine", 3])
    np.testing.assert_allclose(runner.predict(runner.tokenize(["fine"])), runner.predict(["fine"]))  # ids work too
    with pytest.raises(ValueError, match="input 'review': an empty batch"):
        runner.predict([])
    wg.export(_numeric_model(), tmp_path / "n", verbose=0)
    with pytest.raises(ValueError, match="has no tokenizer"):
        load_bundle(tmp_path / "n").tokenize(["a"])
    with pytest.raises(TypeError, match="numeric array"):
        load_bundle(tmp_path / "n").predict(["a"])


def _numeric_model() -> wg.Model:
    return wg.Sequential([wg.Input((3,)), wg.layers.Dense(2)])


def test_options_that_cannot_export_refuse_before_writing(tmp_path):
    tv = wg.layers.TextVectorization(ngrams=2, output_sequence_length=6)
    tv.adapt(TEXTS)
    with pytest.raises(NotImplementedError, match="ngrams"):
        wg.export(_model(tv), tmp_path / "x", verbose=0)
    assert not (tmp_path / "x").exists()
    a, b = wg.Input((1,), dtype="string", name="a"), wg.Input((1,), dtype="string", name="b")
    tva, tvb = (wg.layers.TextVectorization(output_sequence_length=2, vocabulary=["x"]) for _ in range(2))
    two = wg.Model([a, b], wg.layers.Add()([wg.layers.Embedding(3, 2)(tva(a)), wg.layers.Embedding(3, 2)(tvb(b))]))
    with pytest.raises(NotImplementedError, match="2 string inputs"):
        wg.export(two, tmp_path / "y", verbose=0)
    text = wg.Input((1,), dtype="string", name="raw")
    with pytest.raises(CaptureError, match="must be read by exactly one layer"):
        wg.export(wg.Model(text, wg.layers.Identity()(text)), tmp_path / "z", verbose=0)


def test_reader_refuses_an_input_that_is_not_int32_ids():
    manifest = {"signature": {"inputs": [{"name": "t", "dtype": "float32", "shape": [None, 4]}]},
                "tokenizer": {"input": "t", "sequenceLength": 4}}
    with pytest.raises(BundleError, match=r"'t' is float32 \[None, 4\]; the ids of a tokenizer are int32") as info:
        check_section(manifest, "model.json")
    assert info.value.code == "ESCHEMA"


def test_reexport_over_a_text_bundle_replaces_its_tokenizer(model, tmp_path):
    wg.export(model, tmp_path / "b", verbose=0)
    tv = wg.layers.TextVectorization(max_tokens=30, output_sequence_length=6, standardize="lower")
    tv.adapt(TEXTS)
    other = _model(tv)
    wg.export(other, tmp_path / "b", verbose=0)
    runner = load_bundle(tmp_path / "b")
    np.testing.assert_allclose(runner.predict(PROBES), other.predict(PROBES, verbose=0), atol=1e-6)
    assert not [p.name for p in (tmp_path / "b").iterdir() if p.name.startswith(".webgrad")]


def test_the_vocabulary_is_stored_once_in_tokenizer_json(model, tmp_path):
    wg.export(model, tmp_path / "b", verbose=0)
    manifest = json.loads((tmp_path / "b" / "model.json").read_text())
    layers = manifest["metadata"]["model_config"]["config"]["layers"]
    [tv] = [la for la in layers if la["class_name"] == "TextVectorization"]
    assert tv["config"]["vocabulary"] is None  # not repeated in model.json
    again = tmp_path / "again"
    wg.export(wg.load_model(tmp_path / "b"), again, verbose=0)  # a loaded model holds a whole tokenizer
    layers = json.loads((again / "model.json").read_text())["metadata"]["model_config"]["config"]["layers"]
    assert all(la["config"].get(k) is None for la in layers if la["class_name"] == "TextVectorization"
               for k in ("vocabulary", "tokenizer"))
    vocab = json.loads((tmp_path / "b" / "tokenizer.json").read_text())["model"]["vocab"]
    assert set(model.layers[0].get_vocabulary()[1:]) <= set(vocab)
