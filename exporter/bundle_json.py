"""model.json text to a Python object, the way the JS loader reads it: UTF-8 with an optional BOM,
at most ``MAX_DEPTH`` nested arrays/objects (checked by a linear scan before parsing, so no
RecursionError), one number type (an integral number is an integer wherever one is expected, within
±(2^53-1)), and no non-finite number anywhere.

>>> parse_model_json('\\ufeff{"a": [1, 2.0, 1e400]}'.encode(), "model.json")
({'a': [1, 2.0, inf]}, True)
>>> try:
...     parse_model_json(b'[' * 65 + b']' * 65, "model.json")
... except BundleError as e:
...     print(e.code, e)
EJSON model.json: invalid JSON: nested deeper than 64 arrays/objects (found 65 levels)
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np

from webgrad.exporter.bundle_errors import BundleError

MAX_DEPTH = 64
MAX_SAFE_INTEGER = 2**53 - 1  # what a JS number holds exactly: the integer range both readers accept
BOM = "\ufeff"
# A complete JSON string (escapes included), unrolled so that long strings cost no backtracking.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_CHUNK = 1 << 20


def nesting_depth(raw: bytes, stop_above: int = MAX_DEPTH) -> int:
    """The deepest nesting of arrays/objects in JSON text ``raw`` (strings skipped), in one linear
    pass; stops counting once past ``stop_above``.

    >>> nesting_depth(b'{"a": [[1], "[[["]}')
    3
    """
    text = _STRING.sub(b"", raw)
    depth = deepest = 0
    for start in range(0, len(text), _CHUNK):
        a = np.frombuffer(text, np.uint8, count=min(_CHUNK, len(text) - start), offset=start)
        step = (a == ord("[")).astype(np.int32) + (a == ord("{")) - (a == ord("]")) - (a == ord("}"))
        if not step.any():
            continue
        running = np.cumsum(step) + depth
        deepest = max(deepest, int(running.max()))
        depth = int(running[-1])
        if deepest > stop_above:
            break
    return deepest


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _parse_int(text: str) -> int | float:
    # An integer literal beyond the float range is infinity to JSON.parse; so it is here (and then
    # rejected as non-finite), which also keeps int() off digit strings longer than its limit.
    as_float = float(text)
    return int(text) if math.isfinite(as_float) else as_float


def parse_model_json(raw: bytes, where: str) -> tuple[dict[str, Any], bool]:
    """The JSON object in ``raw`` and whether it holds a non-finite number (``1e400``: the schema
    check, which comes after the format and version checks, rejects it with ``check_finite``);
    ``BundleError`` EJSON if it is not UTF-8, not JSON, nested deeper than ``MAX_DEPTH`` or not an
    object."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BundleError("EJSON", f"{where}: invalid JSON: not UTF-8 text ({e.reason} at byte {e.start})") from e
    if text.startswith(BOM):  # editors on Windows add one; JSON.parse after TextDecoder ignores it too
        text = text[1:]
        raw = raw[3:]
    depth = nesting_depth(raw)
    if depth > MAX_DEPTH:
        raise BundleError("EJSON", f"{where}: invalid JSON: nested deeper than {MAX_DEPTH} arrays/objects (found "
                                   f"{depth} levels{' or more' if depth > MAX_DEPTH + 1 else ''})")
    overflowed = []

    def parse_number(text: str, parse: Any) -> int | float:
        value = parse(text)
        if isinstance(value, float) and not math.isfinite(value):
            overflowed.append(text)
        return value

    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_int=lambda t: parse_number(t, _parse_int),
                           parse_float=lambda t: parse_number(t, float))
    except json.JSONDecodeError as e:
        raise BundleError("EJSON", f"{where}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from e
    except (ValueError, RecursionError) as e:
        raise BundleError("EJSON", f"{where}: invalid JSON: {e}") from e
    if not isinstance(value, dict):
        raise BundleError("EJSON", f"{where}: expected a JSON object, got {type(value).__name__}")
    return value, bool(overflowed)


def check_finite(doc: Any, where: str) -> None:
    """ESCHEMA naming the path of the first non-finite number in ``doc``, if any."""
    path = find_non_finite(doc)
    if path is not None:
        raise BundleError("ESCHEMA", f"{where}: schema violation at {json_path(path)}: a number is not finite "
                                     "(JSON numbers must fit a float64; 1e400 does not)")


def json_path(path: list[str | int]) -> str:
    """``['a', 0, 'b']`` as ``$.a[0].b``."""
    return "$" + "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path)


def find_non_finite(doc: Any) -> list[str | int] | None:
    """The path of the first infinite (or NaN) number in ``doc``, in document order, or None.
    Iterative: the depth is bounded anyway, but a walk should not lean on the stack."""
    stack: list[tuple[Any, list[str | int]]] = [(doc, [])]
    while stack:
        value, path = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return path
        if isinstance(value, dict):
            stack.extend((v, [*path, k]) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((v, [*path, i]) for i, v in reversed(list(enumerate(value))))
    return None


def is_integer(value: Any) -> bool:
    """Whether ``value`` is an integer to JSON's one number type: an int or an integral float, not a
    bool, within ±(2^53-1).

    >>> is_integer(2.0), is_integer(2.5), is_integer(True), is_integer(2**53)
    (True, False, False, False)
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return False
    return abs(value) <= MAX_SAFE_INTEGER


def is_finite_number(value: Any) -> bool:
    """A JSON number (not a bool) with a finite value."""
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
