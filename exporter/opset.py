"""Loads the op set file (``opset.json``) and checks op attributes against it.

The op set is the one contract every implementation follows; this module is the only reader of the
file in Python. See ``opset.json`` for the meaning of each field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

OPSET_PATH = Path(__file__).with_name("opset.json")
DTYPES = ("float32", "float16", "int32", "int8", "uint8")


class UnknownOpError(KeyError):
    """An op name that the op set does not define."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0])


class OpAttributeError(ValueError):
    """An op attribute that is missing, unknown or of the wrong type."""


@lru_cache(maxsize=1)
def load_opset() -> dict[str, Any]:
    """Returns the parsed op set file.

    >>> load_opset()["ops"]["Relu"]["shape"]["rule"]
    'same'
    """
    with OPSET_PATH.open(encoding="utf-8") as f:
        return json.load(f)


def opset_version() -> int:
    """The version of the op set this package implements.

    >>> opset_version() >= 1
    True
    """
    return int(load_opset()["opsetVersion"])


def op_names() -> list[str]:
    """All op names, in file order.

    >>> "Conv2D" in op_names()
    True
    """
    return list(load_opset()["ops"])


def op_spec(name: str) -> dict[str, Any]:
    """The op set entry for ``name``; raises UnknownOpError listing the valid names."""
    ops = load_opset()["ops"]
    if name not in ops:
        raise UnknownOpError(f"unknown op {name!r}; the op set v{opset_version()} has: {', '.join(ops)}")
    return ops[name]


def _check_attr(op: str, key: str, spec: Mapping[str, Any], value: Any) -> Any:
    kind = spec["type"]
    where = f"{op}.{key}"
    if value is None:
        if spec.get("nullable"):
            return None
        raise OpAttributeError(f"{where} must not be null")
    if kind == "bool":
        if not isinstance(value, bool):
            raise OpAttributeError(f"{where} must be a bool, got {value!r}")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int | _np_integer()):
            raise OpAttributeError(f"{where} must be an int, got {value!r}")
        return int(value)
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float | _np_number()):
            raise OpAttributeError(f"{where} must be a number, got {value!r}")
        return float(value)
    if kind == "ints":
        if isinstance(value, int | str) or not all(
            isinstance(v, int | _np_integer()) and not isinstance(v, bool) for v in value
        ):
            raise OpAttributeError(f"{where} must be a list of ints, got {value!r}")
        return [int(v) for v in value]
    if kind == "string":
        if value not in spec["values"]:
            raise OpAttributeError(f"{where} must be one of {spec['values']}, got {value!r}")
        return value
    if kind == "dtype":
        if value not in DTYPES:
            raise OpAttributeError(f"{where} must be one of {list(DTYPES)}, got {value!r}")
        return value
    if kind == "padding":
        if value in ("SAME", "VALID"):
            return value
        if not isinstance(value, str) and len(value) == 4 and all(int(v) == v and v >= 0 for v in value):
            return [int(v) for v in value]
        raise OpAttributeError(f"{where} must be 'SAME', 'VALID' or [top, bottom, left, right], got {value!r}")
    raise AssertionError(f"op set declares an unknown attribute type {kind!r} for {where}")


def _np_integer() -> type:
    import numpy as np

    return np.integer


def _np_number() -> type:
    import numpy as np

    return np.number


def normalize_attrs(op: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Checks ``attrs`` against the op set and fills in defaults.

    >>> normalize_attrs("Softmax", {})
    {'axis': -1}
    """
    spec = op_spec(op)["attrs"]
    unknown = set(attrs) - set(spec)
    if unknown:
        raise OpAttributeError(
            f"{op} has no attribute(s) {sorted(unknown)}; its attributes are {sorted(spec) or 'none'}"
        )
    out: dict[str, Any] = {}
    for key, aspec in spec.items():
        if key in attrs:
            out[key] = _check_attr(op, key, aspec, attrs[key])
        elif "default" in aspec:
            out[key] = aspec["default"] if not isinstance(aspec["default"], list) else list(aspec["default"])
        else:
            raise OpAttributeError(f"{op} needs attribute {key!r} ({aspec['type']})")
    return out
