"""``WordPieceTokenizer``: BERT's tokenizer (``BertNormalizer`` + ``BertPreTokenizer`` + ``WordPiece``)
with a trainer of its own.

Training (``WordPieceTokenizer.train(texts, vocab_size)``) works as Hugging Face's WordPiece trainer
does: byte-pair merges over sub-word pieces. The texts are normalized and pre-tokenized, and the
words counted. Every word starts as its characters, the first as is and the others with the ``##``
prefix; the vocabulary starts as ``[PAD]`` (id 0), ``[UNK]`` (id 1) and those characters (most frequent
first, at most what ``vocab_size`` leaves room for). Then, until the vocabulary has ``vocab_size``
tokens or no adjacent pair occurs ``min_frequency`` times, the most frequent adjacent pair of pieces
(summed over words weighted by their counts; ties go to the pair that sorts first) is merged
everywhere into one piece (``"un" + "##happy"`` -> ``"unhappy"``), which joins the vocabulary. Pair
counts are updated only for the words a merge touches, and the most frequent pair comes from a heap,
so training on ten thousand sentences takes seconds. Encoding is WordPiece's greedy longest match.

>>> tok = WordPieceTokenizer.train(["low lower lowest!", "newer newest", "low low"], vocab_size=40)
>>> tok.encode("Lowest!").tokens, tok.encode("newest lower").tokens
(['low', '##est', '!'], ['new', '##est', 'low', '##er'])
>>> tok.encode("slow").tokens  # 's' never starts a word in the texts: no piece matches
['[UNK]']
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Iterable

from webgrad.text.models import WordPiece
from webgrad.text.normalizers import BertNormalizer
from webgrad.text.pre_tokenizers import BertPreTokenizer
from webgrad.text.tokenizer import PAD_TOKEN, Tokenizer

__all__ = ["WordPieceTokenizer"]

UNK_TOKEN = "[UNK]"
PREFIX = "##"


class WordPieceTokenizer(Tokenizer):
    """A WordPiece tokenizer with BERT's normalizer and pre-tokenizer; ``train`` learns its vocabulary."""

    def __init__(self, vocab: dict[str, int], sequence_length: int | None = None, lowercase: bool = True):
        super().__init__(WordPiece(vocab, UNK_TOKEN, PREFIX, 100), BertNormalizer(lowercase=lowercase),
                         BertPreTokenizer(), sequence_length=sequence_length)

    @classmethod
    def train(cls, texts: Iterable[str], vocab_size: int, *, sequence_length: int | None = None,
              min_frequency: int = 2, lowercase: bool = True) -> WordPieceTokenizer:
        """A tokenizer whose vocabulary (``vocab_size`` tokens at most) is learned from ``texts`` (see the
        module doc). ``sequence_length``: pad and truncate encodings to it."""
        if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or vocab_size < 3:
            raise ValueError(f"vocab_size must be an int >= 3 ([PAD], [UNK] and one piece), got {vocab_size!r}")
        if isinstance(min_frequency, bool) or not isinstance(min_frequency, int) or min_frequency < 1:
            raise ValueError(f"min_frequency must be a positive int, got {min_frequency!r}")
        if isinstance(texts, str):
            raise TypeError("train takes a list of texts, got one str")
        normalizer, pre = BertNormalizer(lowercase=lowercase), BertPreTokenizer()
        counts: Counter[str] = Counter()
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{i}] is {type(text).__name__}, expected str")
            counts.update(pre.split(normalizer.normalize(text)))
        vocab = _learn(counts, vocab_size, min_frequency)
        return cls(vocab, sequence_length=sequence_length, lowercase=lowercase)

    def with_sequence_length(self, sequence_length: int | None) -> WordPieceTokenizer:
        """The same vocabulary, padding and truncating to ``sequence_length``."""
        return type(self)(self.model.vocab, sequence_length, lowercase=self.normalizer.lowercase)  # type: ignore


def _learn(counts: Counter[str], vocab_size: int, min_frequency: int) -> dict[str, int]:
    words = [[c if i == 0 else PREFIX + c for i, c in enumerate(w)] for w in counts]
    freq = list(counts.values())
    alphabet: Counter[str] = Counter()
    for symbols, f in zip(words, freq, strict=True):
        for s in symbols:
            alphabet[s] += f
    tokens = [PAD_TOKEN, UNK_TOKEN]
    tokens += [s for s, _ in sorted(alphabet.items(), key=lambda kv: (-kv[1], kv[0]))][:vocab_size - len(tokens)]
    known = set(tokens)
    pairs: Counter[tuple[str, str]] = Counter()
    where: dict[tuple[str, str], set[int]] = {}
    for i, symbols in enumerate(words):
        for pair in itertools.pairwise(symbols):
            pairs[pair] += freq[i]
            where.setdefault(pair, set()).add(i)
    heap = [(-c, p) for p, c in pairs.items()]
    heapq.heapify(heap)
    while len(tokens) < vocab_size and heap:
        neg, pair = heapq.heappop(heap)
        if pairs.get(pair, 0) != -neg:
            continue  # stale entry: the count changed since it was pushed
        if -neg < min_frequency:
            break
        a, b = pair
        merged = a + b[len(PREFIX):]
        changed: set[tuple[str, str]] = set()
        for i in where.pop(pair, set()):
            symbols = words[i]
            for p in itertools.pairwise(symbols):
                pairs[p] -= freq[i]
                changed.add(p)
            out, k = [], 0
            while k < len(symbols):
                if k + 1 < len(symbols) and symbols[k] == a and symbols[k + 1] == b:
                    out.append(merged)
                    k += 2
                else:
                    out.append(symbols[k])
                    k += 1
            words[i] = out
            for p in itertools.pairwise(out):
                pairs[p] += freq[i]
                where.setdefault(p, set()).add(i)
                changed.add(p)
        for p in changed:
            if pairs[p] > 0:
                heapq.heappush(heap, (-pairs[p], p))
            else:
                del pairs[p]
                where.pop(p, None)
        if merged not in known:
            known.add(merged)
            tokens.append(merged)
    return {t: i for i, t in enumerate(tokens)}

