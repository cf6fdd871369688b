"""Vocabulary models: a word -> tokens and ids, with Hugging Face ``tokenizers``' semantics and their
tokenizer.json form.

>>> WordLevel({"[UNK]": 0, "film": 1}, "[UNK]").tokenize("film"), WordLevel({"[UNK]": 0}, "[UNK]").tokenize("x")
([('film', 1)], [('[UNK]', 0)])
>>> WordPiece({"[UNK]": 0, "un": 1, "##happy": 2}).tokenize("unhappy")
[('un', 1), ('##happy', 2)]
"""

from __future__ import annotations

from typing import Any

from webgrad.text.component import Component
from webgrad.text.errors import UnsupportedTokenizerError

__all__ = ["Model", "WordLevel", "WordPiece", "model_from_json"]

SUPPORTED = "WordLevel, WordPiece"


def _check_vocab(vocab: Any, kind: str) -> dict[str, int]:
    if not isinstance(vocab, dict) or not all(isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
                                              and v >= 0 for k, v in vocab.items()):
        raise UnsupportedTokenizerError(f"{kind}.vocab", type(vocab).__name__, "an object of token -> id >= 0")
    if len(set(vocab.values())) != len(vocab):
        raise UnsupportedTokenizerError(f"{kind}.vocab", "duplicate ids", "one token per id")
    return dict(vocab)


class Model(Component):
    """Base class: ``tokenize(word) -> [(token, id)]``, the vocabulary and the tokenizer.json object."""

    vocab: dict[str, int]
    unk_token: str

    def tokenize(self, word: str) -> list[tuple[str, int]]:
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError

    @property
    def unk_id(self) -> int:
        """The id of the unknown token."""
        return self.vocab[self.unk_token]

    def id_to_token(self, i: int) -> str | None:
        """The token of id ``i`` (None when there is none)."""
        if not hasattr(self, "_inverse"):
            self._inverse = {v: k for k, v in self.vocab.items()}
        return self._inverse.get(i)


class WordLevel(Model):
    """One id per whole word; words outside the vocabulary get the id of ``unk_token``."""

    def __init__(self, vocab: dict[str, int], unk_token: str = "[UNK]"):
        self.vocab, self.unk_token = _check_vocab(vocab, "WordLevel"), unk_token
        if unk_token not in self.vocab:
            raise UnsupportedTokenizerError("WordLevel.unk_token", unk_token, "a token of the vocabulary")

    def tokenize(self, word: str) -> list[tuple[str, int]]:
        i = self.vocab.get(word)
        return [(word, i)] if i is not None else [(self.unk_token, self.vocab[self.unk_token])]

    def to_json(self) -> dict[str, Any]:
        return {"type": "WordLevel", "vocab": dict(sorted(self.vocab.items(), key=lambda kv: kv[1])),
                "unk_token": self.unk_token}


class WordPiece(Model):
    """Greedy longest-match-first sub-words: the first piece as is, the next ones with
    ``continuing_subword_prefix``; a word longer than ``max_input_chars_per_word`` code points, or with
    a part that no piece matches, becomes ``unk_token`` as a whole."""

    def __init__(self, vocab: dict[str, int], unk_token: str = "[UNK]", continuing_subword_prefix: str = "##",
                 max_input_chars_per_word: int = 100):
        self.vocab, self.unk_token = _check_vocab(vocab, "WordPiece"), unk_token
        self.prefix, self.max_chars = continuing_subword_prefix, max_input_chars_per_word
        if unk_token not in self.vocab:
            raise UnsupportedTokenizerError("WordPiece.unk_token", unk_token, "a token of the vocabulary")
        self._longest = max(map(len, self.vocab))  # no piece is longer: the search starts there
        self._cache: dict[str, list[tuple[str, int]]] = {}

    def tokenize(self, word: str) -> list[tuple[str, int]]:
        cached = self._cache.get(word)
        if cached is None:
            cached = self._pieces(word)
            if len(self._cache) < 100_000:  # bounded: a stream of distinct words must not grow it forever
                self._cache[word] = cached
        return cached

    def _pieces(self, word: str) -> list[tuple[str, int]]:
        unk = [(self.unk_token, self.vocab[self.unk_token])]
        if len(word) > self.max_chars:
            return unk
        pieces, start = [], 0
        while start < len(word):
            end = min(len(word), start + self._longest)
            while end > start:
                piece = word[start:end] if start == 0 else self.prefix + word[start:end]
                if piece in self.vocab:
                    pieces.append((piece, self.vocab[piece]))
                    break
                end -= 1
            if end == start:
                return unk
            start = end
        return pieces

    def to_json(self) -> dict[str, Any]:
        return {"type": "WordPiece", "unk_token": self.unk_token, "continuing_subword_prefix": self.prefix,
                "max_input_chars_per_word": self.max_chars,
                "vocab": dict(sorted(self.vocab.items(), key=lambda kv: kv[1]))}


def model_from_json(obj: Any) -> Model:
    """The model of a tokenizer.json ``model`` value; ``UnsupportedTokenizerError`` naming a type
    outside the supported subset (BPE, Unigram...)."""
    kind = obj.get("type") if isinstance(obj, dict) else None
    if kind == "WordLevel":
        return WordLevel(obj.get("vocab"), _string(obj, "unk_token", kind))
    if kind == "WordPiece":
        limit = obj.get("max_input_chars_per_word", 100)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise UnsupportedTokenizerError("WordPiece.max_input_chars_per_word", repr(limit), "a positive integer")
        return WordPiece(obj.get("vocab"), _string(obj, "unk_token", kind),
                         _string(obj, "continuing_subword_prefix", kind, "##"), limit)
    raise UnsupportedTokenizerError("model", kind if isinstance(kind, str) else repr(obj)[:60], SUPPORTED)


def _string(obj: dict[str, Any], key: str, kind: str, default: str | None = None) -> str:
    value = obj.get(key, default)
    if not isinstance(value, str):
        raise UnsupportedTokenizerError(f"{kind}.{key}", repr(value), "a string")
    return value
