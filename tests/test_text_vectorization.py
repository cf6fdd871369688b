"""TextVectorization against Keras 3's semantics (keras/src/layers/preprocessing/text_vectorization.py and
index_lookup.py; Keras's own layer needs TensorFlow, which is not installed, so the reference is its
documented examples and the rules of its source, re-computed here independently) and against Hugging
Face ``tokenizers`` for the ids of its exported pipeline."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

import webgrad as wg
from webgrad.layers.text_vectorization import KERAS_PUNCTUATION
from webgrad.text import UnsupportedTokenizerError

TV = wg.layers.TextVectorization


def test_keras_docstring_examples():
    """The two examples of Keras's TextVectorization docstring, with their documented outputs."""
    layer = TV(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    assert layer([["foo qux bar"], ["qux baz"]]).numpy().tolist() == [[4, 1, 3, 0], [1, 2, 0, 0]]
    layer = TV(max_tokens=5000, output_mode="int", output_sequence_length=4,
               vocabulary=["earth", "wind", "and", "fire"])
    assert layer.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]


def _keras_order(texts: list[str], max_tokens: int | None) -> list[str]:
    """Keras's IndexLookup.finalize_state: np.lexsort((tokens, counts))[::-1], cut to max_tokens - 2."""
    counts = Counter(w for t in texts for w in t.split())
    tokens = np.array(sorted(counts), dtype=object)
    order = np.lexsort((tokens, np.array([counts[t] for t in tokens])))[::-1]
    if max_tokens:
        order = order[:max_tokens - 2]
    return ["", "[UNK]", *tokens[order].tolist()]


@pytest.mark.parametrize("max_tokens", [None, 3, 7, 40])
def test_vocabulary_order_and_max_tokens_follow_keras(max_tokens):
    rng = np.random.default_rng(0)
    words = ["zeta", "alpha", "beta", "Beta", "gamma", "delta", "é", "e", "ü", "u", "z9", "a1"]
    texts = [" ".join(rng.choice(words, size=rng.integers(1, 8)).tolist()) for _ in range(60)]
    layer = TV(max_tokens=max_tokens, standardize=None)
    layer.adapt(texts)
    assert layer.get_vocabulary() == _keras_order(texts, max_tokens)
    assert layer.vocabulary_size() == len(layer.get_vocabulary())
    assert layer.get_vocabulary(include_special_tokens=False) == layer.get_vocabulary()[2:]


def test_special_tokens_in_the_data_are_not_counted():
    layer = TV(standardize=None)
    layer.adapt(["[UNK] [UNK] a", "b"])
    assert layer.get_vocabulary() == ["", "[UNK]", "b", "a"]  # a tie: the token sorting last comes first


def test_padding_truncation_and_batch_longest():
    layer = TV(output_sequence_length=3, vocabulary=["a", "b", "c"])
    assert layer(["a b c a b", "c", ""]).numpy().tolist() == [[2, 3, 4], [4, 0, 0], [0, 0, 0]]
    free = TV(vocabulary=["a", "b", "c"])
    assert free(["a b", "c c c d"]).numpy().tolist() == [[2, 3, 0, 0], [4, 4, 4, 1]]


@pytest.mark.parametrize(("standardize", "split", "text", "tokens"), [
    ("lower_and_strip_punctuation", "whitespace", "It's GREAT, isn't it?", ["its", "great", "isnt", "it"]),
    ("lower", "whitespace", "It's GREAT!", ["it's", "great!"]),
    ("strip_punctuation", "whitespace", "It's GREAT!", ["Its", "GREAT"]),
    (None, "whitespace", "It's  GREAT!", ["It's", "GREAT!"]),
    (None, None, "a b", ["a b"]),
    ("lower", "character", "Ab c", ["a", "b", " ", "c"]),
])
def test_standardize_and_split(standardize, split, text, tokens):
    layer = TV(standardize=standardize, split=split)
    assert layer._tokenize([text]) == [tokens]


def test_punctuation_class_is_kerass():
    """Keras strips exactly these characters (its regex, character class of ASCII punctuation)."""
    import re
    stripped = {c for c in map(chr, range(32, 127)) if re.fullmatch(KERAS_PUNCTUATION, c)}
    assert stripped == set("!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'")


def test_ngrams_and_callables():
    layer = TV(ngrams=2, standardize=lambda x: np.char.upper(x.astype(str)), split=lambda s: s.split("-"))
    layer.adapt(["a-b-c"])
    assert layer._tokenize(["a-b"]) == [["A", "B", "A B"]]
    assert set(layer.get_vocabulary()[2:]) == {"A", "B", "C", "A B", "B C"}


def test_multi_hot_count_and_tf_idf():
    docs = ["a a b", "a c", "b"]
    hot = TV(output_mode="multi_hot")
    hot.adapt(docs)
    vocab = hot.get_vocabulary()
    assert vocab[0] == "[UNK]" and sorted(vocab[1:]) == ["a", "b", "c"]
    row = hot(["a a d"]).numpy()[0]
    assert row[vocab.index("a")] == 1 and row[0] == 1 and row.sum() == 2
    count = TV(output_mode="count", vocabulary=["a", "b"])
    assert count(["a a b z"]).numpy().tolist() == [[1, 2, 1]]
    tfidf = TV(output_mode="tf_idf")
    tfidf.adapt(docs)
    # Keras: idf = log(1 + num_documents / (1 + document_count)); OOV gets the mean idf
    idf = {t: np.log(1 + 3 / (1 + sum(t in d.split() for d in docs))) for t in "abc"}
    v = tfidf(["a a c"]).numpy()[0]
    vocab = tfidf.get_vocabulary()
    np.testing.assert_allclose(v[vocab.index("a")], 2 * idf["a"], rtol=1e-6)
    np.testing.assert_allclose(v[vocab.index("c")], idf["c"], rtol=1e-6)
    with pytest.raises(ValueError, match="idf_weights"):
        TV(output_mode="tf_idf", vocabulary=["a"])


def test_set_vocabulary_rules(tmp_path):
    layer = TV()
    layer.set_vocabulary(["", "[UNK]", "x", "y"])
    assert layer.get_vocabulary() == ["", "[UNK]", "x", "y"]
    (tmp_path / "vocab.txt").write_text("p\nq\n", encoding="utf-8")
    layer.set_vocabulary(str(tmp_path / "vocab.txt"))
    assert layer.get_vocabulary() == ["", "[UNK]", "p", "q"]
    with pytest.raises(ValueError, match="special token '\\[UNK\\]'"):
        layer.set_vocabulary(["x", "[UNK]"])
    with pytest.raises(ValueError, match="repeats the token 'x'"):
        layer.set_vocabulary(["x", "x"])
    with pytest.raises(ValueError, match="over max_tokens=3"):
        TV(max_tokens=3).set_vocabulary(["x", "y"])
    with pytest.raises(ValueError, match="no file"):
        layer.set_vocabulary("/nonexistent/vocab.txt")


def test_config_round_trip_keeps_the_vocabulary():
    layer = TV(max_tokens=20, output_sequence_length=5, name="tv")
    layer.adapt(["the film was the best film"])
    config = json.loads(json.dumps(layer.get_config()))
    assert config["vocabulary"] == layer.get_vocabulary() and config["vocabulary_size"] == layer.vocabulary_size()
    again = TV.from_config(config)
    texts = ["best film ever", "the the"]
    np.testing.assert_array_equal(again(texts).numpy(), layer(texts).numpy())
    with pytest.raises(NotImplementedError, match="callable standardize"):
        TV(standardize=str.upper).get_config()


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"standardize": "upper"}, ValueError, "standardize must be"),
    ({"split": "comma"}, ValueError, "split must be"),
    ({"output_mode": "embeddings"}, ValueError, "output_mode must be"),
    ({"output_mode": "one_hot"}, NotImplementedError, "one_hot"),
    ({"ngrams": "2"}, ValueError, "ngrams must be"),
    ({"output_sequence_length": 0}, ValueError, "output_sequence_length"),
    ({"output_mode": "count", "output_sequence_length": 4}, ValueError, "only with output_mode 'int'"),
    ({"max_tokens": 2}, ValueError, "max_tokens"),
    ({"sparse": True}, NotImplementedError, "sparse"),
    ({"ragged": True}, NotImplementedError, "ragged"),
    ({"encoding": "latin-1"}, NotImplementedError, "encoding"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        TV(**kwargs)


def test_bad_inputs():
    layer = TV(vocabulary=["a"])
    with pytest.raises(TypeError, match=r"\[1\] is int"):
        layer(["a", 3])
    with pytest.raises(ValueError, match=r"shape \(n,\) or \(n, 1\)"):
        layer(np.array([["a", "b"]]))
    with pytest.raises(TypeError, match="bytes"):
        layer.vectorize(np.array([b"a"]))
    with pytest.raises(ValueError, match="no vocabulary"):
        TV()(["a"])
    with pytest.raises(TypeError, match="takes texts"):
        layer.vectorize(np.zeros(3))
    with pytest.raises(TypeError, match="batch 0 is not texts"):
        TV().adapt(iter([np.zeros(2)]))


def test_adapt_on_batches_with_steps():
    layer = TV()
    layer.adapt(iter([["a a"], ["b"], ["c c c"]]), steps=2)
    assert layer.get_vocabulary() == ["", "[UNK]", "a", "b"]


def test_exported_pipeline_gives_the_layers_ids(tmp_path):
    """The tokenizer.json a layer becomes, read by Hugging Face tokenizers, gives the layer's ids."""
    hf = pytest.importorskip("tokenizers")
    from tests.text_corpora import edge_texts
    texts = edge_texts()
    for standardize in ("lower_and_strip_punctuation", "lower", "strip_punctuation", None):
        layer = TV(max_tokens=200, standardize=standardize, output_sequence_length=16)
        layer.adapt(texts)
        path = layer.tokenizer().save(tmp_path / "tokenizer.json")
        want = [e.ids for e in hf.Tokenizer.from_file(str(path)).encode_batch(texts)]
        assert layer(texts).numpy().tolist() == want, standardize


@pytest.mark.parametrize(("kwargs", "option"), [
    ({"ngrams": 2}, "ngrams"), ({"standardize": lambda x: np.char.lower(x.astype(str))}, "standardize=<callable>"),
    ({"split": str.split}, "split=<callable>"), ({"split": "character"}, "split='character'"),
    ({"output_mode": "count", "output_sequence_length": None}, "output_mode='count'"),
    ({"output_sequence_length": None}, "output_sequence_length"),
])
def test_options_tokenizer_json_cannot_express_refuse_to_export(kwargs, option):
    layer = TV(**{"output_sequence_length": 4, **kwargs})
    layer.adapt(["a b c"])
    with pytest.raises(NotImplementedError, match=option.replace("(", r"\(").replace(")", r"\)")):
        layer.tokenizer()


def test_not_adapted_and_pad_token_in_vocabulary_refuse_to_export():
    with pytest.raises(ValueError, match="no vocabulary"):
        TV(output_sequence_length=4).tokenizer()
    with pytest.raises(NotImplementedError, match=r"\[PAD\]"):
        TV(standardize=None, output_sequence_length=4, vocabulary=["[PAD]"]).tokenizer()


def test_from_tokenizer_wraps_wordpiece():
    wp = wg.text.WordPieceTokenizer.train(["unhappy happy unhappily"] * 3, vocab_size=40, sequence_length=6)
    layer = TV.from_tokenizer(wp)
    assert layer(["unhappy!"]).numpy().tolist() == [wp.encode("unhappy!").ids]
    assert layer.vocabulary_size() == wp.vocab_size and layer.output_sequence_length == 6
    again = TV.from_config(json.loads(json.dumps(layer.get_config())))
    assert again(["happy"]).numpy().tolist() == [wp.encode("happy").ids]
    with pytest.raises(ValueError, match="cannot adapt"):
        layer.adapt(["x"])


def test_unsupported_tokenizer_json_names_the_component():
    doc = {"model": {"type": "Unigram", "vocab": []}}
    with pytest.raises(UnsupportedTokenizerError, match="Unigram") as info:
        wg.text.Tokenizer.from_json(doc)
    assert info.value.component == "Unigram"
