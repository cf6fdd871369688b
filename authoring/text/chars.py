"""Character classes of Hugging Face ``tokenizers``, per code point, as its Rust code decides them.

Python's own predicates differ from Rust's in places that change token ids: ``str.isspace`` counts
U+001C..U+001F as spaces (Rust's ``char::is_whitespace``, the Unicode White_Space property, does not),
``str.lower`` applies the Greek final-sigma rule to a whole string (``tokenizers`` lowercases each code
point alone), and ``re``'s ``\\w`` leaves out combining marks (Oniguruma's includes them). These helpers
follow ``tokenizers``; the JS tokenizer follows the same definitions (docs/text.md).

>>> [is_whitespace(c) for c in " \\u00a0\\u001c\\u200b"]
[True, True, False, False]
>>> lowercase("ΟΔΟΣ İ")  # no final sigma; the dotted capital I keeps its dot as a combining mark
'οδοσ i̇'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

__all__ = ["WHITE_SPACE", "CharTable", "is_bert_punctuation", "is_chinese_char", "is_control", "is_whitespace",
           "is_word_char", "lowercase"]

#: The Unicode White_Space property (Rust's ``char::is_whitespace``).
WHITE_SPACE = frozenset(
    [chr(c) for c in range(0x09, 0x0E)] + [" ", "\u0085", "\u00a0", "\u1680"]
    + [chr(c) for c in range(0x2000, 0x200B)] + ["\u2028", "\u2029", "\u202f", "\u205f", "\u3000"])

#: CJK ideograph blocks that BertNormalizer surrounds with spaces (handle_chinese_chars).
CHINESE_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
                  (0x2B920, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def is_whitespace(c: str) -> bool:
    """Whether ``c`` has the Unicode White_Space property (what WhitespaceSplit splits on)."""
    return c in WHITE_SPACE


def is_control(c: str) -> bool:
    """BertNormalizer's control characters (dropped by clean_text): general categories Cc, Cf, Co and
    Cs, except tab, newline and carriage return (unassigned code points stay)."""
    return c not in "\t\n\r" and unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs")  # not Cn (unassigned)


def is_chinese_char(c: str) -> bool:
    """Whether ``c`` is in one of the CJK ideograph blocks of ``CHINESE_RANGES``."""
    o = ord(c)
    return any(lo <= o <= hi for lo, hi in CHINESE_RANGES)


def is_bert_punctuation(c: str) -> bool:
    """BertPreTokenizer's punctuation: ASCII symbols and punctuation, or Unicode category P*."""
    o = ord(c)
    if 33 <= o <= 47 or 58 <= o <= 64 or 91 <= o <= 96 or 123 <= o <= 126:
        return True
    return unicodedata.category(c)[0] == "P"


#: Symbols (So) with the Other_Alphabetic property: circled, parenthesized, squared Latin letters.
_ALPHABETIC_SYMBOLS = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))


def is_word_char(c: str) -> bool:
    """Oniguruma's Unicode ``\\w`` (the Whitespace pre-tokenizer's word characters, Unicode TR18):
    Alphabetic (letters, letter numbers Nl, the alphabetic symbols above), marks, decimal digits,
    connector punctuation and the joiners U+200C/U+200D."""
    cat = unicodedata.category(c)
    if cat[0] in "LM" or cat in ("Nd", "Pc", "Nl") or c in "\u200c\u200d":
        return True
    o = ord(c)
    return cat == "So" and any(lo <= o <= hi for lo, hi in _ALPHABETIC_SYMBOLS)


def lowercase(text: str) -> str:
    """Lowercases each code point on its own (no final-sigma rule), as ``tokenizers``' Lowercase."""
    if text.isascii():
        return text.lower()
    if "Σ" not in text:  # str.lower differs from per-code-point lowering only by the final sigma
        return text.lower()
    return "".join(c.lower() for c in text)


class CharTable(dict):
    """A ``str.translate`` table computed on first use of each code point: ``CharTable(fn)`` maps a
    character ``c`` to ``fn(c)`` (a str, or None to drop it), so a text is classified or rewritten in
    one C loop, Python running only for characters not seen before.

    >>> "a b!".translate(CharTable(lambda c: "w" if c.isalpha() else "."))
    'w.w.'
    """

    def __init__(self, fn: Callable[[str], str | None]):
        super().__init__()
        self.fn = fn

    def __missing__(self, code: int) -> str | None:
        value = self.fn(chr(code))
        self[code] = value
        return value
