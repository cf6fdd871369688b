"""The base of every tokenizer.json component (normalizer, pre-tokenizer, model): its JSON object,
and equality and repr by that object.

>>> from webgrad.text.normalizers import Lowercase
>>> Lowercase() == Lowercase(), Lowercase()
(True, Lowercase({'type': 'Lowercase'}))
"""

from __future__ import annotations

from typing import Any

from webgrad.text.errors import UnsupportedTokenizerError

__all__ = ["Component", "component_type"]


def component_type(obj: Any, what: str, supported: Any) -> str:
    """The ``type`` of a tokenizer.json component object, or ``UnsupportedTokenizerError`` naming
    ``what`` (``"normalizer"``...) when ``obj`` is not an object with a string ``type``."""
    kind = obj.get("type") if isinstance(obj, dict) else None
    if not isinstance(kind, str):
        raise UnsupportedTokenizerError(what, repr(obj)[:60], supported)
    return kind


class Component:
    """A part of a tokenizer that tokenizer.json stores as an object with a ``type``."""

    def to_json(self) -> dict[str, Any]:
        """The tokenizer.json object (the class name as ``type`` unless a subclass adds fields)."""
        return {"type": type(self).__name__}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.to_json() == self.to_json()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by content

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_json()})"
