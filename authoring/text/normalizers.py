"""Normalizers: the first step of a tokenizer, text -> text, with Hugging Face ``tokenizers``' semantics
and their tokenizer.json form (``to_json`` / ``normalizer_from_json``).

>>> n = normalizer_from_json({"type": "Sequence", "normalizers": [{"type": "Lowercase"},
...     {"type": "Replace", "pattern": {"Regex": "[.!]"}, "content": ""}]})
>>> n.normalize("Great Film!!")
'great film'
>>> BertNormalizer().normalize("Héllo\\u00a0世界")
'hello  世  界 '
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from webgrad.text.chars import CharTable, is_chinese_char, is_control, is_whitespace, lowercase
from webgrad.text.component import Component, component_type
from webgrad.text.errors import UnsupportedTokenizerError

__all__ = ["NFC", "NFD", "NFKC", "NFKD", "BertNormalizer", "Lowercase", "Normalizer", "Replace", "Sequence",
           "StripAccents", "normalizer_from_json"]

SUPPORTED = "null, Lowercase, Replace, NFC, NFD, NFKC, NFKD, StripAccents, BertNormalizer, Sequence"


class Normalizer(Component):
    """Base class: ``normalize(text) -> text`` and the tokenizer.json object."""

    def normalize(self, text: str) -> str:
        raise NotImplementedError


class Lowercase(Normalizer):
    """Each code point lowercased alone (``webgrad.text.chars.lowercase``)."""

    def normalize(self, text: str) -> str:
        return lowercase(text)


class _UnicodeForm(Normalizer):
    form = "NFC"

    def normalize(self, text: str) -> str:
        return unicodedata.normalize(self.form, text)


class NFC(_UnicodeForm):
    """Unicode normalization form C."""

    form = "NFC"


class NFD(_UnicodeForm):
    """Unicode normalization form D."""

    form = "NFD"


class NFKC(_UnicodeForm):
    """Unicode normalization form KC."""

    form = "NFKC"


class NFKD(_UnicodeForm):
    """Unicode normalization form KD."""

    form = "NFKD"


class StripAccents(Normalizer):
    """Removes combining marks (general category M*); apply NFD first to split accented letters."""

    def normalize(self, text: str) -> str:
        return text.translate(_MARKS)


class Replace(Normalizer):
    """Replaces every match of ``pattern`` (a literal string, or a regular expression when ``regex``)
    by ``content``. Regular expressions run on Python's ``re``: use the syntax it shares with
    Oniguruma and JavaScript (character classes, escapes, alternation), as Keras's punctuation class does."""

    def __init__(self, pattern: str, content: str, regex: bool = False):
        self.pattern, self.content, self.regex = pattern, content, regex
        try:
            self._compiled = re.compile(pattern if regex else re.escape(pattern))
        except re.error as e:
            raise UnsupportedTokenizerError("Replace pattern", pattern, f"a regular expression Python can read ({e})")\
                from e

    def normalize(self, text: str) -> str:
        if not self.regex and not self.pattern:
            return text  # tokenizers leaves the text alone for an empty literal pattern
        return self._compiled.sub(lambda _: self.content, text)

    def to_json(self) -> dict[str, Any]:
        return {"type": "Replace", "pattern": {"Regex" if self.regex else "String": self.pattern},
                "content": self.content}


class BertNormalizer(Normalizer):
    """BERT's normalizer: drop control characters and turn whitespace into spaces (``clean_text``), put
    spaces around CJK ideographs (``handle_chinese_chars``), strip accents (NFD, then drop nonspacing
    marks; ``None`` follows ``lowercase``), lowercase."""

    def __init__(self, clean_text: bool = True, handle_chinese_chars: bool = True, strip_accents: bool | None = None,
                 lowercase: bool = True):
        self.clean_text, self.handle_chinese_chars = clean_text, handle_chinese_chars
        self.strip_accents, self.lowercase = strip_accents, lowercase

    def normalize(self, text: str) -> str:
        if self.clean_text:
            text = text.translate(_CLEAN)
        if self.handle_chinese_chars:
            text = text.translate(_CJK)
        if self.strip_accents or (self.strip_accents is None and self.lowercase):
            text = unicodedata.normalize("NFD", text).translate(_NONSPACING_MARKS)
        return lowercase(text) if self.lowercase else text

    def to_json(self) -> dict[str, Any]:
        return {"type": "BertNormalizer", "clean_text": self.clean_text,
                "handle_chinese_chars": self.handle_chinese_chars, "strip_accents": self.strip_accents,
                "lowercase": self.lowercase}


# str.translate tables, filled as characters are met (webgrad.text.chars.CharTable)
_MARKS = CharTable(lambda c: None if unicodedata.category(c)[0] == "M" else c)
_NONSPACING_MARKS = CharTable(lambda c: None if unicodedata.category(c) == "Mn" else c)
_CLEAN = CharTable(lambda c: None if c in "\x00\ufffd" or is_control(c) else " " if is_whitespace(c) else c)
_CJK = CharTable(lambda c: f" {c} " if is_chinese_char(c) else c)


class Sequence(Normalizer):
    """Several normalizers, applied in order."""

    def __init__(self, normalizers: list[Normalizer]):
        self.normalizers = list(normalizers)

    def normalize(self, text: str) -> str:
        for n in self.normalizers:
            text = n.normalize(text)
        return text

    def to_json(self) -> dict[str, Any]:
        return {"type": "Sequence", "normalizers": [n.to_json() for n in self.normalizers]}


_SIMPLE = {"Lowercase": Lowercase, "NFC": NFC, "NFD": NFD, "NFKC": NFKC, "NFKD": NFKD, "StripAccents": StripAccents}


def _flag(obj: dict[str, Any], key: str, default: Any, optional: bool = False) -> Any:
    value = obj.get(key, default)
    if not (isinstance(value, bool) or (optional and value is None)):
        raise UnsupportedTokenizerError(f"BertNormalizer.{key}", repr(value), "true or false")
    return value


def normalizer_from_json(obj: Any) -> Normalizer | None:
    """The normalizer of a tokenizer.json ``normalizer`` value (None for null); raises
    ``UnsupportedTokenizerError`` naming a type outside the supported subset."""
    if obj is None:
        return None
    kind = component_type(obj, "normalizer", SUPPORTED)
    if kind in _SIMPLE:
        return _SIMPLE[kind]()
    if kind == "Replace":
        pattern, content = obj.get("pattern"), obj.get("content")
        if not (isinstance(pattern, dict) and len(pattern) == 1 and next(iter(pattern)) in ("Regex", "String")
                and isinstance(next(iter(pattern.values())), str) and isinstance(content, str)):
            raise UnsupportedTokenizerError("Replace", repr(obj)[:60], '{"pattern": {"Regex"|"String": str}, '
                                                                       '"content": str}')
        key = next(iter(pattern))
        return Replace(pattern[key], content, regex=key == "Regex")
    if kind == "BertNormalizer":
        return BertNormalizer(_flag(obj, "clean_text", True), _flag(obj, "handle_chinese_chars", True),
                              _flag(obj, "strip_accents", None, optional=True), _flag(obj, "lowercase", True))
    if kind == "Sequence" and isinstance(obj.get("normalizers"), list):
        return Sequence([n for n in map(normalizer_from_json, obj["normalizers"]) if n is not None])
    raise UnsupportedTokenizerError("normalizer", kind, SUPPORTED)
