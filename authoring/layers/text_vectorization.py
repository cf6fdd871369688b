"""``TextVectorization``: strings -> token ids (or multi-hot / count / TF-IDF vectors), Keras 3's layer.

The op set has no strings, so this layer is preprocessing that runs in Python before the op graph:
``fit`` / ``evaluate`` / ``predict`` vectorize string inputs with it first (numpy and jax backends see
int32 ids), and a symbolic call on a string ``Input`` gives the ids tensor the rest of the model reads.
Called on ids (what the data path hands it) it passes them through. At export it becomes the bundle's
``tokenizer.json`` (``tokenizer()``), and the graph's input is the ids.

Keras's semantics, with Hugging Face ``tokenizers``' character rules (docs/text.md):
``standardize="lower_and_strip_punctuation"`` lowercases every code point (Keras's ``tf.strings.lower``
lowercases ASCII only) and removes Keras's punctuation class; ``split="whitespace"`` splits on Unicode
White_Space. ``adapt`` builds the vocabulary as Keras: index 0 is the padding/mask token ``""``, 1 the
OOV token ``"[UNK]"``, then the tokens by descending count, ties in descending code-point order;
``max_tokens`` counts the two special tokens. ``output_sequence_length`` pads with 0 and truncates on
the right; without it a batch is padded to its longest text.

>>> import webgrad as wg
>>> tv = wg.layers.TextVectorization(output_sequence_length=5)
>>> tv.adapt(["The film, the music!", "the end"])
>>> tv.get_vocabulary()
['', '[UNK]', 'the', 'music', 'film', 'end']
>>> tv(["The END of the film?", "unseen"]).numpy()
array([[2, 5, 1, 2, 4],
       [1, 0, 0, 0, 0]], dtype=int32)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

from webgrad.layers.base import Layer
from webgrad.tensor import SymbolicTensor, Tensor
from webgrad.text import Tokenizer
from webgrad.text import normalizers as wn
from webgrad.text import pre_tokenizers as wp
from webgrad.text.models import WordLevel
from webgrad.text.strings import as_texts
from webgrad.text.tokenizer import PAD_TOKEN

__all__ = ["KERAS_PUNCTUATION", "TextVectorization", "as_texts", "string_input_vectorizer"]

#: the punctuation class Keras's standardization removes
KERAS_PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
MASK_TOKEN, OOV_TOKEN = "", "[UNK]"
STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT = ("whitespace", "character")
OUTPUT_MODES = ("int", "multi_hot", "count", "tf_idf")


class TextVectorization(Layer):
    """Keras 3's ``TextVectorization`` (see the module doc). ``output_mode``: ``"int"`` (ids
    ``[batch, output_sequence_length]``), ``"multi_hot"``, ``"count"`` or ``"tf_idf"`` (float32
    ``[batch, vocabulary_size]``). ``sparse``, ``ragged``, ``output_mode="one_hot"`` and encodings other
    than UTF-8 are not supported. Only what a ``tokenizer.json`` can express exports (``tokenizer()``).
    """

    def __init__(self, max_tokens: int | None = None, standardize: str | Callable | None = STANDARDIZE[0],
                 split: str | Callable | None = "whitespace", ngrams: int | tuple | None = None,
                 output_mode: str = "int", output_sequence_length: int | None = None, pad_to_max_tokens: bool = False,
                 vocabulary: Any = None, idf_weights: Any = None, sparse: bool = False, ragged: bool = False,
                 encoding: str = "utf-8", name: str | None = None, **kwargs: Any):
        kwargs.pop("vocabulary_size", None)  # in Keras's config; derived from the vocabulary here
        tokenizer = kwargs.pop("tokenizer", None)
        kwargs.setdefault("dtype", "string")
        super().__init__(name=name, **kwargs)
        if standardize is not None and not callable(standardize) and standardize not in STANDARDIZE:
            raise ValueError(f"standardize must be None, a callable or one of {STANDARDIZE}, got {standardize!r}")
        if split is not None and not callable(split) and split not in SPLIT:
            raise ValueError(f"split must be None, a callable or one of {SPLIT}, got {split!r}")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode == "one_hot":
            raise NotImplementedError("TextVectorization: output_mode='one_hot' is not supported; use 'multi_hot'")
        if output_mode not in OUTPUT_MODES:
            raise ValueError(f"output_mode must be one of {OUTPUT_MODES}, got {output_mode!r}")
        if not (ngrams is None or (isinstance(ngrams, int) and not isinstance(ngrams, bool) and ngrams > 0) or
                (isinstance(ngrams, tuple | list) and all(isinstance(n, int) and n > 0 for n in ngrams))):
            raise ValueError(f"ngrams must be None, an integer, or a tuple of integers, got {ngrams!r}")
        if output_sequence_length is not None and (output_mode != "int" or isinstance(output_sequence_length, bool)
                                                   or not isinstance(output_sequence_length, int)
                                                   or output_sequence_length < 1):
            raise ValueError(f"output_sequence_length must be None or a positive int, and only with output_mode "
                             f"'int'; got {output_sequence_length!r} with output_mode {output_mode!r}")
        if max_tokens is not None and (isinstance(max_tokens, bool) or not isinstance(max_tokens, int)
                                       or max_tokens <= (2 if output_mode == "int" else 1)):
            raise ValueError(f"max_tokens must be None or an int greater than the special tokens it counts "
                             f"({2 if output_mode == 'int' else 1}), got {max_tokens!r}")
        for flag, value in (("sparse", sparse), ("ragged", ragged)):
            if value:
                raise NotImplementedError(f"TextVectorization: {flag}=True is not supported (no sparse or ragged "
                                          "tensors in webgrad)")
        if encoding.lower().replace("-", "") != "utf8":
            raise NotImplementedError(f"TextVectorization: encoding {encoding!r} is not supported; texts are str")
        self.max_tokens, self.standardize, self.split = max_tokens, standardize, split
        self.ngrams = tuple(ngrams) if isinstance(ngrams, list) else ngrams
        self._ngram_sizes = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else self.ngrams
        self.output_mode, self.output_sequence_length = output_mode, output_sequence_length
        self.pad_to_max_tokens, self.encoding = pad_to_max_tokens, encoding
        self._tokens: list[str] = []  # the vocabulary after the special tokens
        self._index: dict[str, int] = {}
        self._idf: np.ndarray | None = None
        self._has_input_vocabulary = vocabulary is not None
        self._tokenizer = None if tokenizer is None else \
            tokenizer if isinstance(tokenizer, Tokenizer) else Tokenizer.from_json(tokenizer)
        if self._tokenizer is not None:
            self.output_sequence_length = self._tokenizer.sequence_length
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    @classmethod
    def from_tokenizer(cls, tokenizer: Tokenizer, name: str | None = None) -> TextVectorization:
        """A layer that vectorizes with ``tokenizer`` (a ``webgrad.text`` tokenizer, e.g. a trained
        ``WordPieceTokenizer``, or one read from a tokenizer.json): its ids, padding and truncation.

        >>> import webgrad as wg
        >>> wp = wg.text.WordPieceTokenizer.train(["a good film", "a goodly film"], 30, sequence_length=4)
        >>> wg.layers.TextVectorization.from_tokenizer(wp)(["good films"]).numpy().tolist() == [wp.encode(
        ...     "good films").ids]
        True
        """
        return cls(tokenizer=tokenizer, name=name, standardize=None, split=None)

    # ---- vocabulary -----------------------------------------------------------------------------
    @property
    def _token_start(self) -> int:
        return 2 if self.output_mode == "int" else 1

    def _specials(self) -> list[str]:
        return [MASK_TOKEN, OOV_TOKEN][2 - self._token_start:]

    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Learns the vocabulary (and, for ``tf_idf``, the document frequencies) from ``data``: texts
        (a list or array of str) or an iterable of batches of texts (``steps`` batches at most)."""
        if self._tokenizer is not None:
            raise ValueError(f"TextVectorization {self.name!r} uses a fixed tokenizer; it cannot adapt")
        texts = as_texts(data, "adapt(data)")
        if texts is not None:
            batches: Iterable[Any] = [texts]
        elif isinstance(data, Iterable) and not isinstance(data, np.ndarray):
            batches = data
        else:
            raise TypeError(f"adapt(data) takes texts (a list or array of str) or batches of texts, got "
                            f"{type(data).__name__}")
        counts: Counter[str] = Counter()
        documents: Counter[str] = Counter()
        n_docs = 0
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            batch_texts = as_texts(batch, f"adapt(data) batch {i}")
            if batch_texts is None:
                raise TypeError(f"adapt(data): batch {i} is not texts ({type(batch).__name__})")
            for tokens in self._tokenize(batch_texts):
                counts.update(tokens)
                documents.update(set(tokens))
                n_docs += 1
        for special in (MASK_TOKEN, OOV_TOKEN):
            counts.pop(special, None)
        # Keras: np.lexsort((tokens, counts))[::-1], i.e. by count then token, both descending
        ranked = sorted(counts, key=lambda t: (counts[t], t), reverse=True)
        if self.max_tokens is not None:
            ranked = ranked[:self.max_tokens - self._token_start]
        self._set_tokens(ranked)
        if self.output_mode == "tf_idf":
            idf = np.log1p(n_docs / (1.0 + np.array([documents[t] for t in ranked], np.float64)))
            oov = float(idf.mean()) if len(idf) else 0.0
            self._idf = np.concatenate([[oov] * (self._token_start), idf]).astype(np.float32)

    def _set_tokens(self, tokens: list[str]) -> None:
        self._tokens = list(tokens)
        self._index = {t: i + self._token_start for i, t in enumerate(self._tokens)}

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Sets the vocabulary (a list/array of str, or the path of a file with one token per line), as
        Keras: leading special tokens (``""``, ``"[UNK]"``) are dropped; a special token elsewhere or a
        repeated token is a ValueError. ``idf_weights`` (one per token) is required for ``tf_idf``."""
        if isinstance(vocabulary, str | Path):
            if not Path(vocabulary).is_file():
                raise ValueError(f"set_vocabulary: {str(vocabulary)!r} is no file; pass a list of tokens or the path "
                                 "of a file with one token per line")
            vocabulary = Path(vocabulary).read_text(encoding="utf-8").splitlines()
        tokens = list(np.asarray(vocabulary, dtype=object).ravel()) if not isinstance(vocabulary, list) \
            else list(vocabulary)
        if not all(isinstance(t, str) for t in tokens):
            raise TypeError("set_vocabulary: every token must be a str")
        specials = self._specials()
        if tokens[:len(specials)] == specials:
            tokens = tokens[len(specials):]
        for special in (MASK_TOKEN, OOV_TOKEN):
            if special in tokens:
                raise ValueError(f"set_vocabulary: the special token {special!r} may only come first (at index "
                                 f"{specials.index(special) if special in specials else 0}); found at index "
                                 f"{tokens.index(special) + len(specials)}")
        if len(set(tokens)) != len(tokens):
            dup = next(t for t, c in Counter(tokens).items() if c > 1)
            raise ValueError(f"set_vocabulary: the vocabulary repeats the token {dup!r}")
        if self.max_tokens is not None and len(tokens) + self._token_start > self.max_tokens:
            raise ValueError(f"set_vocabulary: {len(tokens) + self._token_start} tokens with the special ones, over "
                             f"max_tokens={self.max_tokens}")
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("set_vocabulary: output_mode='tf_idf' needs idf_weights, one per token")
            idf = np.asarray(idf_weights, np.float32).ravel()
            if len(idf) != len(tokens):
                raise ValueError(f"set_vocabulary: {len(idf)} idf_weights for {len(tokens)} tokens")
            self._idf = np.concatenate([[idf.mean() if len(idf) else 0.0] * self._token_start, idf]).astype(
                np.float32)
        elif idf_weights is not None:
            raise ValueError("set_vocabulary: idf_weights are only for output_mode='tf_idf'")
        self._set_tokens(tokens)

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        """The vocabulary in index order: ``["", "[UNK]", tokens...]`` (``output_mode="int"``) or
        ``["[UNK]", tokens...]``; without the special tokens when ``include_special_tokens=False``."""
        if self._tokenizer is not None:
            model = self._tokenizer.model
            vocab = [model.id_to_token(i) or "" for i in range(self._tokenizer.vocab_size)]
            return vocab if include_special_tokens else [t for t in vocab if t not in (PAD_TOKEN, model.unk_token)]
        return (self._specials() if include_special_tokens else []) + list(self._tokens)

    def vocabulary_size(self) -> int:
        """The number of indices the layer makes, special tokens included."""
        if self._tokenizer is not None:
            return self._tokenizer.vocab_size
        return self._token_start + len(self._tokens)

    # ---- tokenization ---------------------------------------------------------------------------
    def _normalizer(self) -> wn.Normalizer | None:
        lower = wn.Lowercase()
        strip = wn.Replace(KERAS_PUNCTUATION, "", regex=True)
        return {"lower_and_strip_punctuation": wn.Sequence([lower, strip]), "lower": lower,
                "strip_punctuation": strip, None: None}[self.standardize]  # type: ignore[index]

    def _tokenize(self, texts: list[str]) -> list[list[str]]:
        """The tokens of each text: standardized, split, with n-grams."""
        if callable(self.standardize):
            texts = [str(t) for t in np.asarray(self.standardize(np.asarray(texts, dtype=object))).ravel()]
        else:
            normalizer = self._normalizer()
            if normalizer is not None:
                texts = [normalizer.normalize(t) for t in texts]
        if callable(self.split):
            tokens = [list(self.split(t)) for t in texts]
        elif self.split == "whitespace":
            split = wp.WhitespaceSplit()
            tokens = [split.split(t) for t in texts]
        elif self.split == "character":
            tokens = [list(t) for t in texts]
        else:
            tokens = [[t] for t in texts]
        if self._ngram_sizes:
            tokens = [[" ".join(ts[i:i + n]) for n in self._ngram_sizes for i in range(len(ts) - n + 1)]
                      for ts in tokens]
        return tokens

    def vectorize(self, texts: Any) -> np.ndarray:
        """``texts`` (str, a list or an array of str) as numpy: int32 ids ``[n, length]`` or float32
        vectors ``[n, vocabulary_size]`` (see ``output_mode``)."""
        found = as_texts(texts, f"TextVectorization {self.name!r} input")
        if found is None:
            raise TypeError(f"TextVectorization {self.name!r} takes texts (str, or a list/array of str), got "
                            f"{type(texts).__name__}")
        if self._tokenizer is not None:
            return self._tokenizer(found)
        if not self._tokens and not self._has_input_vocabulary:
            raise ValueError(f"TextVectorization {self.name!r} has no vocabulary: call adapt(texts) or pass "
                             "vocabulary= first")
        ids = [[self._index.get(t, 1 if self.output_mode == "int" else 0) for t in ts] for ts in self._tokenize(found)]
        if self.output_mode == "int":
            width = self.output_sequence_length or max(map(len, ids), default=0)
            out = np.zeros((len(ids), width), np.int32)
            for i, row in enumerate(ids):
                row = row[:width]
                out[i, :len(row)] = row
            return out
        size = self.max_tokens if self.pad_to_max_tokens and self.max_tokens else self.vocabulary_size()
        vec = np.zeros((len(ids), size), np.float32)
        for i, row in enumerate(ids):
            np.add.at(vec[i], row, 1.0)
        if self.output_mode == "multi_hot":
            vec = np.minimum(vec, 1.0)
        elif self.output_mode == "tf_idf":
            idf = np.zeros(size, np.float32)
            idf[:len(self._idf)] = self._idf  # type: ignore[arg-type]
            vec *= idf
        return vec

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args and as_texts(args[0]) is not None and not isinstance(args[0], np.ndarray):
            args = (np.asarray(as_texts(args[0]), dtype=object), *args[1:])  # a list of str is one input
        return super().__call__(*args, **kwargs)

    def call(self, inputs: Any, training: bool = False) -> Any:
        """Texts -> ids/vectors; a symbolic string input -> the symbolic ids; ids (what the data path
        hands it once it vectorized the texts) pass through unchanged."""
        if isinstance(inputs, SymbolicTensor):
            if inputs.dtype != "string":
                return inputs
            batch = inputs.shape[0] if inputs.shape else None
            if self.output_mode == "int":
                return SymbolicTensor((batch, self.output_sequence_length), "int32")
            size = self.max_tokens if self.pad_to_max_tokens and self.max_tokens else None
            return SymbolicTensor((batch, size or self.vocabulary_size()), "float32")
        if isinstance(inputs, Tensor) or (hasattr(inputs, "dtype") and getattr(inputs.dtype, "kind", "U") in "biuf"):
            return inputs
        return Tensor(self.vectorize(inputs))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        return (input_shape[0], self.vocabulary_size())

    # ---- export and config ----------------------------------------------------------------------
    def tokenizer(self) -> Tokenizer:
        """The Hugging Face tokenizer pipeline that gives this layer's ids (what the bundle's
        tokenizer.json holds). ``NotImplementedError`` naming the option when tokenizer.json cannot
        express it (ngrams, callables, ``split="character"``, ``output_mode`` other than ``"int"``, no
        ``output_sequence_length``); ``ValueError`` before ``adapt``."""
        if self._tokenizer is not None:
            if self._tokenizer.sequence_length is None:
                raise NotImplementedError(f"TextVectorization {self.name!r}: its tokenizer has no sequence_length; "
                                          "a bundle's tokenizer pads and truncates to a fixed length")
            return self._tokenizer
        options = [("ngrams", self.ngrams is not None), ("standardize=<callable>", callable(self.standardize)),
                   ("split=<callable>", callable(self.split)), ("split='character'", self.split == "character"),
                   (f"output_mode={self.output_mode!r}", self.output_mode != "int"),
                   ("output_sequence_length=None", self.output_sequence_length is None)]
        bad = [name for name, used in options if used]
        if bad:
            raise NotImplementedError(f"TextVectorization {self.name!r}: {', '.join(bad)} cannot be written as a "
                                      "tokenizer.json, so this layer does not export (it works in Python); use "
                                      "ngrams=None, a standardize and split by name, output_mode='int' and an "
                                      "output_sequence_length")
        if not self._tokens:
            raise ValueError(f"TextVectorization {self.name!r} has no vocabulary: call adapt(texts) first")
        if PAD_TOKEN in self._index:
            raise NotImplementedError(f"TextVectorization {self.name!r}: the vocabulary holds {PAD_TOKEN!r}, the "
                                      "name tokenizer.json gives the padding token")
        vocab = {PAD_TOKEN: 0, OOV_TOKEN: 1, **self._index}
        pre = wp.WhitespaceSplit() if self.split == "whitespace" else None
        return Tokenizer(WordLevel(vocab, OOV_TOKEN), self._normalizer(), pre,
                         sequence_length=self.output_sequence_length, pad_token=PAD_TOKEN, pad_id=0)

    def get_config(self) -> dict[str, Any]:
        """Keras's config keys; ``vocabulary`` holds the whole vocabulary (adapted or set), so a layer
        rebuilt from its config vectorizes the same (Keras keeps an adapted vocabulary in assets)."""
        for what, value in (("standardize", self.standardize), ("split", self.split)):
            if callable(value):
                raise NotImplementedError(f"TextVectorization {self.name!r}: a callable {what} cannot be saved in "
                                          "a config")
        config = {**super().get_config(), "max_tokens": self.max_tokens, "standardize": self.standardize,
                  "split": self.split, "ngrams": list(self.ngrams) if isinstance(self.ngrams, tuple) else self.ngrams,
                  "output_mode": self.output_mode, "output_sequence_length": self.output_sequence_length,
                  "pad_to_max_tokens": self.pad_to_max_tokens, "sparse": False, "ragged": False,
                  "vocabulary": self.get_vocabulary() if (self._tokens or self._has_input_vocabulary) else None,
                  "idf_weights": None if self._idf is None else self._idf[self._token_start:].tolist(),
                  "encoding": self.encoding, "vocabulary_size": self.vocabulary_size()}
        if self._tokenizer is not None:
            config.update(vocabulary=None, tokenizer=self._tokenizer.to_json())
        return config


def string_input_vectorizer(model: Any, x: SymbolicTensor) -> TextVectorization | None:
    """The TextVectorization layer that reads the model input ``x`` directly (the one that turns its
    strings into ids before the op graph), or None. A string input that no TextVectorization reads, or
    that several layers read, is a TypeError naming it."""
    readers = [n.layer for n in getattr(model, "_nodes", []) if any(t is x for t in n.inputs)]
    vectorizers = [la for la in readers if isinstance(la, TextVectorization)]
    if x.dtype != "string":
        return None
    name = x.history[0].name if x.history else "?"
    if len(vectorizers) != 1 or len(readers) != 1:
        raise TypeError(f"model {getattr(model, 'name', '?')!r}: string input {name!r} must be read by exactly one "
                        f"layer, a TextVectorization (it turns the texts into ids before the op graph); it is read "
                        f"by {[type(la).__name__ for la in readers] or 'nothing'}")
    return vectorizers[0]


def vectorize_model_inputs(model: Any, arrays: list[Any]) -> list[Any]:
    """The model's inputs with texts turned into ids by the TextVectorization of each string input.
    Texts given to a numeric input, or numbers given to a string input, are a TypeError naming it."""
    out = []
    for i, (a, x) in enumerate(zip(arrays, model.inputs, strict=True)):
        name = x.history[0].name if x.history else f"#{i}"
        texts = as_texts(a, f"input {name!r}")
        if x.dtype != "string":
            if texts is not None:
                raise TypeError(f"model {model.name!r}: input {name!r} takes {x.dtype} numbers, got texts; a model "
                                "that reads raw strings starts with wg.Input(shape=(1,), dtype='string') and a "
                                "wg.layers.TextVectorization")
            out.append(a)
            continue
        tv = string_input_vectorizer(model, x)
        if texts is None:
            dtype = getattr(a, "dtype", None)
            if tv.output_mode == "int" and dtype is not None and dtype.kind in "iu" \
                    and len(getattr(a, "shape", ())) == 2:  # type: ignore[union-attr]
                out.append(a)  # ids its TextVectorization made already (a batch of a vectorized fit)
                continue
            raise TypeError(f"model {model.name!r}: input {name!r} takes texts (a list or array of str), got "
                            f"{type(a).__name__}" + (f" of {dtype}" if dtype is not None else ""))
        out.append(tv.vectorize(texts))  # type: ignore[union-attr]
    return out

