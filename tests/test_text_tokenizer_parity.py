"""webgrad.text against Hugging Face ``tokenizers`` (the executable reference): the tokenizer.json that
webgrad writes loads in ``tokenizers.Tokenizer.from_file`` and gives the same ids, tokens and attention
masks on every Rotten Tomatoes snippet, a few hundred SpamAssassin emails and the shared Unicode edge
list; a file made by ``tokenizers`` reads back into webgrad with the same ids."""

from __future__ import annotations

import pytest

from tests.text_corpora import edge_texts, rotten_tomatoes, spam_assassin
from webgrad.text import Tokenizer, WordPieceTokenizer
from webgrad.text import models as wm
from webgrad.text import normalizers as wn
from webgrad.text import pre_tokenizers as wp

hf = pytest.importorskip("tokenizers")

KERAS_PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'


def _corpus() -> list[str]:
    texts = edge_texts() + (spam_assassin() or [])
    rt = rotten_tomatoes()
    return texts + (rt or [])


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    return _corpus()


@pytest.fixture(scope="module")
def sample(corpus) -> list[str]:
    """The edge list, the emails and 1,500 snippets: for the pipelines that are not the layer's own."""
    return corpus[:len(edge_texts()) + len(spam_assassin() or []) + 1500]


def _assert_same(ours: Tokenizer, tmp_path, texts: list[str]) -> None:
    path = ours.save(tmp_path / "tokenizer.json")
    ref = hf.Tokenizer.from_file(str(path))
    want = ref.encode_batch(texts)
    bad = []
    for text, w in zip(texts, want, strict=True):
        got = ours.encode(text)
        if (got.ids, got.tokens, got.attention_mask) != (w.ids, w.tokens, w.attention_mask):
            bad.append(text)
    assert not bad, f"{len(bad)} of {len(texts)} texts differ, first: {bad[0]!r:.200}"


def _vocab(texts: list[str], pipeline: Tokenizer, size: int) -> dict[str, int]:
    """A vocabulary of the most frequent words the pipeline makes, with [PAD] 0 and [UNK] 1."""
    from collections import Counter
    counts: Counter[str] = Counter()
    for t in texts[:3000]:
        words = pipeline.pre_tokenizer.split(pipeline.normalizer.normalize(t)) if pipeline.normalizer \
            else pipeline.pre_tokenizer.split(t)
        counts.update(words)
    words = [w for w, _ in counts.most_common(size) if w not in ("[PAD]", "[UNK]")]
    return {"[PAD]": 0, "[UNK]": 1, **{w: i + 2 for i, w in enumerate(words)}}


STANDARDIZE = {
    "lower_and_strip_punctuation": lambda: wn.Sequence([wn.Lowercase(), wn.Replace(KERAS_PUNCTUATION, "", regex=True)]),
    "lower": wn.Lowercase,
    "strip_punctuation": lambda: wn.Replace(KERAS_PUNCTUATION, "", regex=True),
    "nfkc-strip-accents": lambda: wn.Sequence([wn.NFKC(), wn.NFD(), wn.StripAccents(), wn.Lowercase()]),
}


@pytest.mark.parametrize("standardize", sorted(STANDARDIZE))
def test_word_level_pipelines_match_tokenizers(standardize, corpus, sample, tmp_path):
    """TextVectorization's default pipeline on every text; the other standardizations on the sample."""
    texts = corpus if standardize == "lower_and_strip_punctuation" else sample
    base = Tokenizer(wm.WordLevel({"[PAD]": 0, "[UNK]": 1}), STANDARDIZE[standardize](), wp.WhitespaceSplit())
    ours = Tokenizer(wm.WordLevel(_vocab(texts, base, 4000)), base.normalizer, base.pre_tokenizer,
                     sequence_length=48)
    _assert_same(ours, tmp_path, texts)


@pytest.mark.parametrize("pre", ["Whitespace", "BertPreTokenizer", "Sequence"])
def test_pre_tokenizers_match_tokenizers(pre, sample, tmp_path):
    p = {"Whitespace": wp.Whitespace(), "BertPreTokenizer": wp.BertPreTokenizer(),
         "Sequence": wp.Sequence([wp.WhitespaceSplit(), wp.Whitespace()])}[pre]
    base = Tokenizer(wm.WordLevel({"[PAD]": 0, "[UNK]": 1}), wn.NFC(), p)
    ours = Tokenizer(wm.WordLevel(_vocab(sample, base, 3000)), base.normalizer, p, sequence_length=32)
    _assert_same(ours, tmp_path, sample)


def test_wordpiece_trained_here_matches_tokenizers(corpus, tmp_path):
    rt = rotten_tomatoes() or corpus
    ours = WordPieceTokenizer.train(rt[:3000], vocab_size=3000, sequence_length=64)
    assert 2000 < ours.vocab_size <= 3000
    _assert_same(ours, tmp_path, corpus)


def test_wordpiece_without_padding_and_keeping_case(sample, tmp_path):
    ours = WordPieceTokenizer.train(sample, vocab_size=800, lowercase=False)
    _assert_same(ours, tmp_path, sample)


def test_file_written_by_tokenizers_reads_back_with_the_same_ids(sample, tmp_path):
    ref = hf.Tokenizer(hf.models.WordPiece({"[PAD]": 0, "[UNK]": 1, "the": 2, "film": 3, "##s": 4, "a": 5},
                                           unk_token="[UNK]", max_input_chars_per_word=12))
    ref.normalizer = hf.normalizers.BertNormalizer(strip_accents=True, lowercase=True)
    ref.pre_tokenizer = hf.pre_tokenizers.BertPreTokenizer()
    ref.enable_padding(length=16, pad_id=0, pad_token="[PAD]")
    ref.enable_truncation(16)
    path = tmp_path / "ref.json"
    ref.save(str(path))
    ours = Tokenizer.from_file(path)
    for text in sample:
        assert ours.encode(text).ids == ref.encode(text).ids, text[:200]


def test_corpora_are_there():
    """The data sets are installed by scripts/setup.sh: their absence would make the parity weaker."""
    assert rotten_tomatoes() is not None and len(rotten_tomatoes()) == 12808
    texts = spam_assassin()
    assert texts is not None and len(texts) == 300
