"""Pre-tokenizers: normalized text -> words, with Hugging Face ``tokenizers``' semantics and their
tokenizer.json form.

>>> WhitespaceSplit().split("a  good\\u00a0film ")
['a', 'good', 'film']
>>> BertPreTokenizer().split("Hello, world!")
['Hello', ',', 'world', '!']
>>> Whitespace().split("it's 5$")
['it', "'", 's', '5', '$']
"""

from __future__ import annotations

import re
from typing import Any

from webgrad.text.chars import CharTable, is_bert_punctuation, is_whitespace, is_word_char
from webgrad.text.component import Component, component_type
from webgrad.text.errors import UnsupportedTokenizerError

__all__ = ["BertPreTokenizer", "PreTokenizer", "Sequence", "Whitespace", "WhitespaceSplit", "pre_tokenizer_from_json"]

SUPPORTED = "null, Whitespace, WhitespaceSplit, BertPreTokenizer, Sequence"


class PreTokenizer(Component):
    """Base class: ``split(text) -> words`` and the tokenizer.json object."""

    def split(self, text: str) -> list[str]:
        raise NotImplementedError


def _classes(kind: Any) -> CharTable:
    """A table giving each character its class letter: ``kind(c)`` is " " (a separator, dropped),
    "w" (part of a word run), "o" (part of a run of other characters) or "p" (a word of its own)."""
    return CharTable(kind)


def _runs(text: str, table: CharTable, pattern: re.Pattern[str]) -> list[str]:
    """The pieces of ``text`` where its class string (one letter per character) matches ``pattern``."""
    classes = text.translate(table)
    return [text[m.start():m.end()] for m in pattern.finditer(classes)]


_WORDS = re.compile("w+")
_WORDS_OR_OTHERS = re.compile("w+|o+")
_WORDS_OR_SINGLES = re.compile("w+|p")
_SPLIT = _classes(lambda c: " " if is_whitespace(c) else "w")
_WHITESPACE = _classes(lambda c: " " if is_whitespace(c) else "w" if is_word_char(c) else "o")
_BERT = _classes(lambda c: " " if is_whitespace(c) else "p" if is_bert_punctuation(c) else "w")


class WhitespaceSplit(PreTokenizer):
    """Splits on Unicode White_Space, dropping it."""

    def split(self, text: str) -> list[str]:
        return _runs(text, _SPLIT, _WORDS)


class Whitespace(PreTokenizer):
    """The regular expression ``\\w+|[^\\w\\s]+`` (Oniguruma's Unicode classes): runs of word
    characters and runs of other non-space characters."""

    def split(self, text: str) -> list[str]:
        return _runs(text, _WHITESPACE, _WORDS_OR_OTHERS)


class BertPreTokenizer(PreTokenizer):
    """Splits on whitespace (dropped) and on each punctuation character (kept, one per word)."""

    def split(self, text: str) -> list[str]:
        return _runs(text, _BERT, _WORDS_OR_SINGLES)


class Sequence(PreTokenizer):
    """Several pre-tokenizers, each splitting the words of the one before."""

    def __init__(self, pretokenizers: list[PreTokenizer]):
        self.pretokenizers = list(pretokenizers)

    def split(self, text: str) -> list[str]:
        words = [text]
        for p in self.pretokenizers:
            words = [w for word in words for w in p.split(word)]
        return words

    def to_json(self) -> dict[str, Any]:
        return {"type": "Sequence", "pretokenizers": [p.to_json() for p in self.pretokenizers]}


_SIMPLE = {"Whitespace": Whitespace, "WhitespaceSplit": WhitespaceSplit, "BertPreTokenizer": BertPreTokenizer}


def pre_tokenizer_from_json(obj: Any) -> PreTokenizer | None:
    """The pre-tokenizer of a tokenizer.json ``pre_tokenizer`` value (None for null); raises
    ``UnsupportedTokenizerError`` naming a type outside the supported subset."""
    if obj is None:
        return None
    kind = component_type(obj, "pre_tokenizer", SUPPORTED)
    if kind in _SIMPLE:
        return _SIMPLE[kind]()
    if kind == "Sequence" and isinstance(obj.get("pretokenizers"), list):
        return Sequence([p for p in map(pre_tokenizer_from_json, obj["pretokenizers"]) if p is not None])
    raise UnsupportedTokenizerError("pre_tokenizer", kind, SUPPORTED)
