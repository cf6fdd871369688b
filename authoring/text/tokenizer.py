"""``Tokenizer``: normalizer -> pre-tokenizer -> model -> truncation and padding, the pipeline of a
Hugging Face ``tokenizer.json``, which it reads (``from_file``, ``from_str``) and writes (``save``,
``to_str``). The ids are those of ``tokenizers.Tokenizer.from_file`` on the same file; only the
subset in docs/text.md is read, anything else raises ``UnsupportedTokenizerError`` naming it.

>>> from webgrad.text.models import WordLevel
>>> from webgrad.text.normalizers import Lowercase
>>> from webgrad.text.pre_tokenizers import WhitespaceSplit
>>> tok = Tokenizer(WordLevel({"[PAD]": 0, "[UNK]": 1, "great": 2, "film": 3}), Lowercase(), WhitespaceSplit(),
...                 sequence_length=4)
>>> enc = tok.encode("A GREAT film")
>>> enc.ids, enc.attention_mask, enc.tokens
([1, 2, 3, 0], [1, 1, 1, 0], ['[UNK]', 'great', 'film', '[PAD]'])
>>> Tokenizer.from_str(tok.to_str()).encode("great great great great great").ids
[2, 2, 2, 2]
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from webgrad.text.errors import UnsupportedTokenizerError
from webgrad.text.models import Model, model_from_json
from webgrad.text.normalizers import Normalizer, normalizer_from_json
from webgrad.text.pre_tokenizers import PreTokenizer, pre_tokenizer_from_json

__all__ = ["Encoding", "Tokenizer"]

PAD_TOKEN = "[PAD]"


@dataclass
class Encoding:
    """One encoded text: ``ids``, ``tokens`` and ``attention_mask`` (1 for a token, 0 for padding)."""

    ids: list[int]
    tokens: list[str]
    attention_mask: list[int]


class Tokenizer:
    """A tokenizer pipeline (see the module doc). ``sequence_length``: truncate on the right to that
    many tokens and pad on the right with ``pad_token`` (id ``pad_id``) up to it; None: neither."""

    def __init__(self, model: Model, normalizer: Normalizer | None = None, pre_tokenizer: PreTokenizer | None = None,
                 sequence_length: int | None = None, pad_token: str = PAD_TOKEN, pad_id: int | None = None):
        if sequence_length is not None and (isinstance(sequence_length, bool) or not isinstance(sequence_length, int)
                                            or sequence_length < 1):
            raise ValueError(f"sequence_length must be a positive int or None, got {sequence_length!r}")
        self.model, self.normalizer, self.pre_tokenizer = model, normalizer, pre_tokenizer
        self.sequence_length, self.pad_token = sequence_length, pad_token
        self.pad_id = model.vocab.get(pad_token, 0) if pad_id is None else pad_id

    # ---- encoding -----------------------------------------------------------------------------------
    def tokens_and_ids(self, text: str) -> list[tuple[str, int]]:
        """``(token, id)`` of every token of ``text``, before truncation and padding."""
        if not isinstance(text, str):
            raise TypeError(f"a tokenizer encodes str, got {type(text).__name__}: {text!r:.60}")
        if self.normalizer is not None:
            text = self.normalizer.normalize(text)
        words = self.pre_tokenizer.split(text) if self.pre_tokenizer is not None else ([text] if text else [])
        return [piece for word in words for piece in self.model.tokenize(word)]

    def encode(self, text: str) -> Encoding:
        """The encoding of one text (truncated and padded to ``sequence_length`` when set)."""
        pieces = self.tokens_and_ids(text)
        n = self.sequence_length
        if n is not None:
            pieces = pieces[:n]
        mask = [1] * len(pieces)
        if n is not None and len(pieces) < n:
            pad = n - len(pieces)
            pieces += [(self.pad_token, self.pad_id)] * pad
            mask += [0] * pad
        return Encoding([i for _, i in pieces], [t for t, _ in pieces], mask)

    def encode_batch(self, texts: Any) -> list[Encoding]:
        """The encodings of a list of texts."""
        return [self.encode(t) for t in texts]

    def __call__(self, texts: Any) -> np.ndarray:
        """The ids of ``texts`` (a str or a sequence of str) as an int32 array ``[len(texts),
        sequence_length]`` (rows padded with ``pad_id`` to the longest when no length is set)."""
        texts = [texts] if isinstance(texts, str) else list(texts)
        rows = [self.encode(t).ids for t in texts]
        width = self.sequence_length or max((len(r) for r in rows), default=0)
        out = np.full((len(rows), width), self.pad_id, np.int32)
        for i, r in enumerate(rows):
            out[i, :len(r)] = r
        return out

    @property
    def vocab_size(self) -> int:
        """The number of ids (1 + the largest id)."""
        return max(self.model.vocab.values(), default=-1) + 1

    def get_vocab(self) -> dict[str, int]:
        """token -> id."""
        return dict(self.model.vocab)

    # ---- tokenizer.json -----------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """The tokenizer.json object (``added_tokens`` empty, no post-processor or decoder)."""
        n = self.sequence_length
        return {
            "version": "1.0",
            "truncation": None if n is None else {"direction": "Right", "max_length": n, "strategy": "LongestFirst",
                                                  "stride": 0},
            "padding": None if n is None else {"strategy": {"Fixed": n}, "direction": "Right",
                                               "pad_to_multiple_of": None, "pad_id": self.pad_id, "pad_type_id": 0,
                                               "pad_token": self.pad_token},
            "added_tokens": [],
            "normalizer": None if self.normalizer is None else self.normalizer.to_json(),
            "pre_tokenizer": None if self.pre_tokenizer is None else self.pre_tokenizer.to_json(),
            "post_processor": None,
            "decoder": None,
            "model": self.model.to_json(),
        }

    def to_str(self) -> str:
        """tokenizer.json as text (deterministic: the same tokenizer gives the same bytes)."""
        return json.dumps(self.to_json(), ensure_ascii=False, indent=1)

    def save(self, path: str | Path) -> Path:
        """Writes tokenizer.json to ``path``; returns it."""
        path = Path(path)
        path.write_text(self.to_str(), encoding="utf-8")
        return path

    @classmethod
    def from_json(cls, obj: Any) -> Tokenizer:
        """The tokenizer of a parsed tokenizer.json; ``UnsupportedTokenizerError`` outside the subset."""
        if not isinstance(obj, dict) or "model" not in obj:
            raise UnsupportedTokenizerError("document", type(obj).__name__, 'an object with a "model"')
        if obj.get("added_tokens"):
            raise UnsupportedTokenizerError("added_tokens", f"{len(obj['added_tokens'])} entries",
                                            "an empty list (special tokens are not split out of raw text)")
        if obj.get("post_processor") is not None:
            kind = obj["post_processor"].get("type") if isinstance(obj["post_processor"], dict) else None
            raise UnsupportedTokenizerError("post_processor", str(kind), "null")
        model = model_from_json(obj["model"])
        length, pad_token, pad_id = _padding(obj.get("padding"), _truncation(obj.get("truncation")))
        return cls(model, normalizer_from_json(obj.get("normalizer")),
                   pre_tokenizer_from_json(obj.get("pre_tokenizer")), sequence_length=length, pad_token=pad_token,
                   pad_id=pad_id)

    @classmethod
    def from_str(cls, text: str) -> Tokenizer:
        """The tokenizer of tokenizer.json text."""
        return cls.from_json(json.loads(text))

    @classmethod
    def from_file(cls, path: str | Path) -> Tokenizer:
        """The tokenizer of a tokenizer.json file."""
        return cls.from_str(Path(path).read_text(encoding="utf-8"))

    def __repr__(self) -> str:
        return (f"Tokenizer({type(self.model).__name__}, vocab_size={self.vocab_size}, "
                f"sequence_length={self.sequence_length})")


def _truncation(t: Any) -> int | None:
    if t is None:
        return None
    if not isinstance(t, dict):
        raise UnsupportedTokenizerError("truncation", type(t).__name__, "null or an object")
    if t.get("direction", "Right") != "Right" or t.get("stride", 0) != 0:
        raise UnsupportedTokenizerError("truncation", f"direction {t.get('direction')}, stride {t.get('stride')}",
                                        "direction Right, stride 0")
    n = t.get("max_length")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise UnsupportedTokenizerError("truncation.max_length", repr(n), "a positive integer")
    return n


def _padding(p: Any, truncated: int | None) -> tuple[int | None, str, int | None]:
    """(sequence length, pad token, pad id) from the padding and truncation sections, which must agree."""
    if p is None:
        if truncated is not None:
            raise UnsupportedTokenizerError("truncation", "without padding", "truncation with Fixed padding, or "
                                                                             "neither")
        return None, PAD_TOKEN, None
    strategy = p.get("strategy") if isinstance(p, dict) else None
    fixed = strategy.get("Fixed") if isinstance(strategy, dict) else None
    if not isinstance(fixed, int) or isinstance(fixed, bool) or fixed < 1:
        raise UnsupportedTokenizerError("padding.strategy", json.dumps(strategy), '{"Fixed": length}')
    if p.get("direction", "Right") != "Right" or p.get("pad_to_multiple_of") is not None:
        raise UnsupportedTokenizerError("padding", f"direction {p.get('direction')}", "direction Right, "
                                                                                      "pad_to_multiple_of null")
    if truncated != fixed:
        raise UnsupportedTokenizerError("truncation.max_length", repr(truncated), f"{fixed}, the padding length")
    pad_token, pad_id = p.get("pad_token", PAD_TOKEN), p.get("pad_id", 0)
    if not isinstance(pad_token, str) or not isinstance(pad_id, int) or isinstance(pad_id, bool) or pad_id < 0:
        raise UnsupportedTokenizerError("padding", f"pad_token {pad_token!r}, pad_id {pad_id!r}",
                                        "a string pad_token and an integer pad_id >= 0")
    return fixed, pad_token, pad_id
