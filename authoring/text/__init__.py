"""Text tokenization: the normalizers, pre-tokenizers and vocabulary models that webgrad's
``TextVectorization`` layer and WordPiece tokenizer use, written to and read from a Hugging Face
``tokenizer.json`` that travels in the bundle (docs/text.md)."""
