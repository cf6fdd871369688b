"""Text tokenization: the normalizers, pre-tokenizers and vocabulary models that webgrad's
``TextVectorization`` layer and WordPiece tokenizer use, written to and read from a Hugging Face
``tokenizer.json`` that travels in the bundle (docs/text.md). The ids equal those of the
``tokenizers`` library on the same file.

>>> import webgrad as wg
>>> tok = wg.text.WordPieceTokenizer.train(["a great film", "a greater film", "great"], vocab_size=30,
...                                        sequence_length=6)
>>> tok(["A great film!"]).shape
(1, 6)
"""

from webgrad.text import models, normalizers, pre_tokenizers
from webgrad.text.errors import UnsupportedTokenizerError
from webgrad.text.tokenizer import Encoding, Tokenizer
from webgrad.text.wordpiece import WordPieceTokenizer

__all__ = ["Encoding", "Tokenizer", "UnsupportedTokenizerError", "WordPieceTokenizer", "models", "normalizers",
           "pre_tokenizers"]
