"""The one error type of the bundle reader: ``BundleError`` with a stable ``code``.

The codes are the JS runtime's (``js_runtime/src/errors.js``), so a bundle rejected by both readers is
rejected with the same code. ``str(err)`` is the message alone.

>>> err = BundleError("ESCHEMA", "model.json: schema violation at $.graph")
>>> err.code, str(err), isinstance(err, ValueError)
('ESCHEMA', 'model.json: schema violation at $.graph', True)
"""

from __future__ import annotations

from typing import Any

# Every code a reader or runner failure may carry (the subset of the JS codes that Python raises,
# plus the ones a Python caller may meet through the shared cases).
CODES = frozenset({
    "EARG", "ESOURCE", "EFETCH", "EMODEL_MISSING", "EJSON", "EFORMAT", "EVERSION", "ESCHEMA",
    "ESHARD_MISSING", "ESHARD_SIZE", "ECHECKSUM", "ETENSOR", "ENONFINITE", "EUNKNOWN_OP", "EATTR",
    "EGRAPH", "ESHAPE", "EDTYPE", "EINPUT", "EINDEX", "ESELFTEST", "EBACKEND", "EDISPOSED", "EABORTED",
    "EPARSE", "ELIMIT", "ETOKENIZER",
})


class BundleError(ValueError):
    """A bundle that cannot be used: missing or corrupt file, bad model.json, unsupported version, a
    resource limit. ``code`` says which kind (one of ``CODES``); the message names the file, node or
    tensor and what was expected."""

    code: str  # a subclass may fix it as a class attribute and then be raised with the message alone

    def __init__(self, code: str, message: str | None = None):
        if message is None:  # BundleSubclass(message), the subclass naming its code
            code, message = getattr(type(self), "code", ""), code
        if code not in CODES:  # a typo in a raise site must not produce an unknown code
            raise AssertionError(f"unknown BundleError code {code!r} for: {message}")
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple:  # picklable (multiprocessing, pytest-xdist) despite two arguments
        return (type(self), (self.code, str(self)))


def short_repr(value: Any) -> str:
    """``repr(value)`` cut to 80 characters, for messages about bundle-provided values (a fuzzed op
    name may be megabytes long).

    >>> short_repr("x" * 100)[-4:]
    'x...'
    """
    text = repr(value)
    return text if len(text) <= 80 else text[:80] + "..."
