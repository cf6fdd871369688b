"""Checks of what a federated client sends (docs/federated_protocol.md, "Errors"): each failure raises
``ProtocolError`` with the protocol's code and HTTP status, which the app answers as
``{"error": {"code", "message"}}``.

>>> decode_update("AACAPwAAAEA=", 2, clip_norm=None).tolist()
[1.0, 2.0]
>>> decode_update("AACAPw==", 2, clip_norm=None)
Traceback (most recent call last):
...
webgrad.federated.validate.ProtocolError: ESHAPE: update has 1 float32 values; the model's update vector has 2
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np

from webgrad.federated.b64 import strict_b64decode

__all__ = ["CLIP_SLACK", "CODES", "NotJSON", "ProtocolError", "base64_bytes", "decode_update", "encode_update",
           "field", "finite_metric", "json_object", "positive_int", "update_vector"]

#: code -> HTTP status (EAUTH is 401 for a bad token, 403 for a client of another token; ESTATE 404 for
#: an unpublished version: those pass their status explicitly)
CODES = {"EAUTH": 401, "EMALFORMED": 400, "EROUND": 409, "EDUPLICATE": 409, "ESHAPE": 422, "ENONFINITE": 422,
         "ECLIP": 422, "ESTATE": 409}
CLIP_SLACK = 1e-5  # an update may exceed clipNorm by this relative margin (float32 rounding of the scaling)


class ProtocolError(Exception):
    """A refused request: ``code`` (EAUTH, EMALFORMED...), ``message`` and the HTTP ``status``."""

    def __init__(self, code: str, message: str, status: int | None = None):
        if code not in CODES:
            raise ValueError(f"code: unknown protocol error code {code!r}")
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status or CODES[code]

    def to_json(self) -> dict[str, Any]:
        """The response body."""
        return {"error": {"code": self.code, "message": self.message}}


class NotJSON:
    """A request body that did not parse (kept so the refusal is logged and reported like the others)."""

    def __init__(self, reason: str):
        self.reason = reason


def json_object(body: Any) -> dict[str, Any]:
    """``body`` when it is a JSON object; EMALFORMED otherwise."""
    if isinstance(body, NotJSON):
        raise ProtocolError("EMALFORMED", f"body is not JSON: {body.reason}")
    if not isinstance(body, dict):
        raise ProtocolError("EMALFORMED", f"body must be a JSON object, got {type(body).__name__}")
    return body


def field(body: dict[str, Any], name: str, kind: type | tuple[type, ...], where: str = "body") -> Any:
    """``body[name]``, which must be of ``kind`` (bool is no int); EMALFORMED otherwise.

    >>> field({"round": True}, "round", int)
    Traceback (most recent call last):
    ...
    webgrad.federated.validate.ProtocolError: EMALFORMED: body.round must be int, got bool
    """
    if name not in body:
        raise ProtocolError("EMALFORMED", f"{where}.{name} is missing")
    value = body[name]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        expected = " or ".join(k.__name__ for k in kinds)
        raise ProtocolError("EMALFORMED", f"{where}.{name} must be {expected}, got {type(value).__name__}")
    return value


def positive_int(body: dict[str, Any], name: str) -> int:
    """``body[name]`` as an int ≥ 1 (EMALFORMED otherwise)."""
    value = field(body, name, int)
    if value < 1:
        raise ProtocolError("EMALFORMED", f"body.{name} must be a positive integer, got {value}")
    return int(value)


def base64_bytes(text: str) -> bytes:
    """The bytes of standard padded base64 ``text``; EMALFORMED otherwise (``strict_b64decode``)."""
    return strict_b64decode(text, "update", ProtocolError)


def update_vector(raw: bytes, length: int, clip_norm: float | None) -> np.ndarray:
    """The float32 update vector of ``raw`` bytes: EMALFORMED (not whole float32 values), ESHAPE (not
    ``length`` values), ENONFINITE (NaN/Inf), ECLIP (L2 norm over ``clip_norm``·(1+1e-5))."""
    if len(raw) % 4:
        raise ProtocolError("EMALFORMED", f"update has {len(raw)} bytes, not a whole number of float32 values")
    vector = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    if vector.size != length:
        raise ProtocolError("ESHAPE", f"update has {vector.size} float32 values; the model's update vector has "
                                      f"{length}")
    bad = np.flatnonzero(~np.isfinite(vector))
    if bad.size:
        raise ProtocolError("ENONFINITE", f"update holds {bad.size} NaN/Inf values (first at index {int(bad[0])})")
    if clip_norm is not None:
        norm = float(np.linalg.norm(vector.astype(np.float64)))
        if norm > clip_norm * (1 + CLIP_SLACK):
            raise ProtocolError("ECLIP", f"update has L2 norm {norm:.6g}, over the round's clipNorm {clip_norm:.6g}")
    return vector


def decode_update(text: str, length: int, clip_norm: float | None) -> np.ndarray:
    """``update_vector`` of the base64 ``text`` (both checks)."""
    return update_vector(base64_bytes(text), length, clip_norm)


def encode_update(vector: np.ndarray) -> str:
    """The base64 text of a float32 update vector (the inverse of ``decode_update``).

    >>> encode_update(np.array([1.0, 2.0]))
    'AACAPwAAAEA='
    """
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")


def finite_metric(metrics: Any, name: str) -> float | None:
    """``metrics[name]`` when it is a finite number, else None (metrics are informative only)."""
    if not isinstance(metrics, dict):
        return None
    value = metrics.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)
