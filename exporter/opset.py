"""Loads the op set file (``opset.json``) and checks op attributes against it.

The op set is the one contract every implementation follows; this module is the only reader of the
file in Python. See ``opset.json`` for the meaning of each field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

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


def op_since(name: str) -> int:
    """The op set version that added op ``name`` (its ``since`` field; 1 for the first op set).

    >>> op_since("Conv2D"), op_since("Pad")
    (1, 2)
    """
    return int(op_spec(name).get("since", 1))


def bundle_opset_version(ops: Iterable[str]) -> int:
    """The ``opsetVersion`` a bundle using ``ops`` declares: the smallest version that has every one of
    them, so a bundle without newer ops stays readable by runtimes of an older op set.

    >>> bundle_opset_version(["Conv2D", "Relu"]), bundle_opset_version(["Conv2D", "Pad"])
    (1, 2)
    """
    return max((op_since(op) for op in ops), default=1)


def op_names() -> list[str]:
    """All op names, in file order.

    >>> "Conv2D" in op_names()
    True
    """
    return list(load_opset()["ops"])


def op_spec(name: str) -> dict[str, Any]:
    """The op set entry for ``name``; raises UnknownOpError listing the valid names.

    Gradient ops are not op-set ops here (a bundle never holds one): ``op_spec("SumTo")`` raises.
    """
    ops = load_opset()["ops"]
    if name not in ops:
        hint = " (a gradient op: the runtime's training graphs use it, bundles may not)" if name in _grad_ops() else ""
        raise UnknownOpError(f"unknown op {name!r}{hint}; the op set v{opset_version()} has: {', '.join(ops)}")
    return ops[name]


def _grad_ops() -> dict[str, Any]:
    return load_opset().get("gradOps", {})


def grad_op_names() -> list[str]:
    """All gradient op names (the op set's ``gradOps``), in file order.

    >>> "Conv2DBackpropInput" in grad_op_names()
    True
    """
    return list(_grad_ops())


def grad_op_spec(name: str) -> dict[str, Any]:
    """The ``gradOps`` entry for ``name``; raises UnknownOpError listing the valid names.

    >>> grad_op_spec("SumTo")["shape"]["rule"]
    'sum_to'
    """
    ops = _grad_ops()
    if name not in ops:
        raise UnknownOpError(f"unknown gradient op {name!r}; the op set's gradOps are: {', '.join(ops)}")
    return ops[name]


MAX_SAFE_INTEGER = 2**53 - 1  # JSON has one number type: integers beyond this are not exact in JS


def _as_int(value: Any) -> int | None:
    """``value`` as an int if it is an integral number (``2.0`` is 2; a bool is not a number) within
    ±(2^53-1), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return None
    if isinstance(value, float | np.floating) and not (math.isfinite(value) and float(value).is_integer()):
        return None
    return int(value) if abs(value) <= MAX_SAFE_INTEGER else None


def _check_attr(op: str, key: str, spec: Mapping[str, Any], value: Any) -> Any:
    kind = spec["type"]
    where = f"{op}.{key}"

    def bad(want: str) -> OpAttributeError:
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:80] + "..."
        return OpAttributeError(f"{where} must be {want}, got {shown}")

    if value is None:
        if spec.get("nullable"):
            return None
        raise OpAttributeError(f"{where} must not be null")
    if kind == "bool":
        if not isinstance(value, bool):
            raise bad("a bool")
        return value
    if kind == "int":
        if _as_int(value) is None:
            raise bad("an int")
        return _as_int(value)
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float | np.number) or not math.isfinite(value):
            raise bad("a finite number")
        return float(value)
    if kind == "ints":
        if not isinstance(value, list | tuple | np.ndarray) or any(_as_int(v) is None for v in value):
            raise bad("a list of ints")
        return [_as_int(v) for v in value]
    if kind == "string":
        if not isinstance(value, str) or value not in spec["values"]:
            raise bad(f"one of {spec['values']}")
        return value
    if kind == "dtype":
        if not isinstance(value, str) or value not in DTYPES:
            raise bad(f"one of {list(DTYPES)}")
        return value
    if kind == "padding":
        if isinstance(value, str) and value in ("SAME", "VALID"):
            return value
        if isinstance(value, list | tuple | np.ndarray) and len(value) == 4 and all(
                _as_int(v) is not None and _as_int(v) >= 0 for v in value):
            return [_as_int(v) for v in value]
        raise bad("'SAME', 'VALID' or [top, bottom, left, right]")
    raise OpAttributeError(f"op set declares an unknown attribute type {kind!r} for {where}")


def normalize_attrs(op: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Checks ``attrs`` against the op set and fills in defaults.

    >>> normalize_attrs("Softmax", {})
    {'axis': -1}
    """
    return _normalize(op, op_spec(op)["attrs"], attrs)


def normalize_grad_attrs(op: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    """Like ``normalize_attrs`` for a gradient op (``gradOps``): checks ``attrs`` and fills in defaults.

    >>> normalize_grad_attrs("SoftmaxGrad", {})
    {'axis': -1}
    """
    return _normalize(op, grad_op_spec(op)["attrs"], attrs)


def _normalize(op: str, spec: Mapping[str, Any], attrs: Mapping[str, Any]) -> dict[str, Any]:
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
