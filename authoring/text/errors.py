"""The one error of tokenizer.json reading: a file outside the supported subset of the format.

>>> err = UnsupportedTokenizerError("normalizer", "Precompiled")
>>> err.component, str(err)
('Precompiled', "tokenizer.json: normalizer 'Precompiled' is not supported; supported: see docs/text.md")
"""

from __future__ import annotations

__all__ = ["UnsupportedTokenizerError"]


class UnsupportedTokenizerError(ValueError):
    """A tokenizer.json that uses a component (normalizer, pre-tokenizer, model, padding...) or an option
    that webgrad's tokenizers do not implement; ``component`` names it, ``where`` says which section."""

    def __init__(self, where: str, component: str, supported: str = "see docs/text.md"):
        super().__init__(f"tokenizer.json: {where} {component!r} is not supported; supported: {supported}")
        self.where = where
        self.component = component
