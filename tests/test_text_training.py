"""Models that take raw strings: a string Input read by a TextVectorization, fit/evaluate/predict on
lists and arrays of str, on the numpy and jax backends (the texts are vectorized in Python before the
op graph, so both backends train on the same ids), and the errors for texts where numbers belong and
the other way round."""

from __future__ import annotations

import numpy as np
import pytest

import webgrad as wg

TEXTS = ["a great film", "a terrible film", "great acting", "terrible plot", "what a great movie",
         "boring and terrible", "great great fun", "dull, boring!"] * 4
LABELS = np.array([1, 0, 1, 0, 1, 0, 1, 0] * 4)


def _vectorizer() -> wg.layers.TextVectorization:
    tv = wg.layers.TextVectorization(max_tokens=30, output_sequence_length=6)
    tv.adapt(TEXTS)
    return tv


def _sequential(shape: tuple = (1,)) -> wg.Sequential:
    wg.set_seed(3)
    return wg.Sequential([wg.Input(shape, dtype="string", name="text"), _vectorizer(), wg.layers.Embedding(30, 8),
                          wg.layers.GlobalAveragePooling1D(), wg.layers.Dense(2, activation="softmax")])


def _functional() -> wg.Model:
    wg.set_seed(3)
    text = wg.Input((1,), dtype="string", name="text")
    h = wg.layers.Embedding(30, 8)(_vectorizer()(text))
    out = wg.layers.Dense(2, activation="softmax")(wg.layers.GlobalAveragePooling1D()(h))
    return wg.Model(text, out)


def _ids_model() -> wg.Model:
    """The same computation on ids, for reference."""
    wg.set_seed(3)
    return wg.Sequential([wg.Input((6,), dtype="int32"), wg.layers.Embedding(30, 8),
                          wg.layers.GlobalAveragePooling1D(), wg.layers.Dense(2, activation="softmax")])


@pytest.mark.parametrize("build", [_sequential, _functional, lambda: _sequential(())])
def test_fit_on_strings_equals_fit_on_their_ids(build):
    model, ref = build(), _ids_model()
    ref.set_weights(model.get_weights())
    ids = model.layers[0 if isinstance(model, wg.Sequential) else 1].vectorize(TEXTS)
    for m in (model, ref):
        m.compile(optimizer=wg.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    h = model.fit(TEXTS, LABELS, batch_size=8, epochs=3, shuffle=False, verbose=0)
    h_ref = ref.fit(ids, LABELS, batch_size=8, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(h.history["loss"], h_ref.history["loss"], rtol=1e-6)
    np.testing.assert_allclose(model.predict(np.array(TEXTS), verbose=0), ref.predict(ids, verbose=0), atol=1e-6)
    loss, acc = model.evaluate(TEXTS, LABELS, verbose=0)
    assert acc > 0.5 and np.isfinite(loss)


def test_numpy_and_jax_train_the_same_on_strings():
    pytest.importorskip("jax")
    runs = {}
    for backend in ("numpy", "jax"):
        model = _sequential()
        model.compile(optimizer=wg.optimizers.SGD(0.3), loss="sparse_categorical_crossentropy", backend=backend)
        losses = [model.train_on_batch(TEXTS[i:i + 8], LABELS[i:i + 8])
                  for i in range(0, len(TEXTS), 8) for _ in range(5)]
        runs[backend] = (np.array(losses, dtype=np.float64).ravel(), model.predict(TEXTS[:5], verbose=0))
    np.testing.assert_allclose(runs["jax"][0], runs["numpy"][0], atol=1e-4)
    np.testing.assert_allclose(runs["jax"][1], runs["numpy"][1], atol=1e-4)


def test_sequential_without_input_builds_a_string_input_from_texts():
    wg.set_seed(0)
    model = wg.Sequential([_vectorizer(), wg.layers.Embedding(30, 4), wg.layers.GlobalAveragePooling1D(),
                           wg.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(TEXTS, LABELS, epochs=1, verbose=0)
    assert model.inputs[0].dtype == "string" and model.predict(["great"], verbose=0).shape == (1, 1)


def test_config_round_trip_of_a_text_model():
    model = _functional()
    again = wg.Model.from_config(model.get_config())
    again.set_weights(model.get_weights())
    np.testing.assert_allclose(again.predict(TEXTS[:3], verbose=0), model.predict(TEXTS[:3], verbose=0))
    seq = _sequential()
    assert wg.Sequential.from_config(seq.get_config()).inputs[0].dtype == "string"


def test_errors_name_the_input():
    model = _sequential()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(TypeError, match=r"x\[1\] is int"):
        model.fit(["a", 1], [0, 1], verbose=0)
    with pytest.raises(TypeError, match="input 'text' takes texts"):
        model.predict(np.zeros((2, 1), np.float32), verbose=0)
    numeric = _ids_model()
    numeric.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(TypeError, match=r"takes int32 numbers, got texts.*dtype='string'"):
        numeric.predict(["a great film"], verbose=0)
    text = wg.Input((1,), dtype="string", name="raw")
    lonely = wg.Model(text, wg.layers.Identity()(text))
    with pytest.raises(TypeError, match="string input 'raw' must be read by exactly one layer, a TextVectorization"):
        lonely.predict(["a"], verbose=0)


def test_empty_batch_and_texts_past_the_sequence_length():
    model = _sequential()
    long_text = " ".join(["great"] * 50)
    np.testing.assert_allclose(model.predict([long_text], verbose=0),
                               model.predict([" ".join(["great"] * 6)], verbose=0), atol=1e-6)  # truncated
    assert model.predict(["zzz qqq"], verbose=0).shape == (1, 2)  # unknown words: the OOV id


def test_keras_file_round_trip_of_a_text_model(tmp_path):
    model = _sequential()
    model.save(tmp_path / "m.keras")
    again = wg.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(again.predict(TEXTS[:4], verbose=0), model.predict(TEXTS[:4], verbose=0), atol=1e-6)
