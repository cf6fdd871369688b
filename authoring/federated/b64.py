"""The one strict base64 decoder of the federated code: the bytes that JSON messages carry are standard
base64 with padding (docs/federated_protocol.md). The plain update check (``webgrad.federated.validate``)
and secure aggregation (``webgrad.federated.secagg``) both decode through it, each raising its own error
type. It imports nothing of webgrad (so neither imports the other's layer, and the plain server does not
load ``cryptography`` for it).

>>> strict_b64decode("AACAPw==", "update", ValueError)
b'\\x00\\x00\\x80?'
>>> strict_b64decode("AACAPw=", "update", ValueError)
Traceback (most recent call last):
...
ValueError: ('EMALFORMED', 'update: not valid base64 (standard alphabet, padded)')
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable

__all__ = ["strict_b64decode"]

_BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")


def strict_b64decode(text: object, what: str, error: Callable[[str, str], Exception]) -> bytes:
    """The bytes of standard padded base64 ``text``; anything else raises ``error("EMALFORMED", message)``
    with a message naming ``what`` (a non-string, a character outside the standard alphabet, missing or
    excess padding)."""
    if not isinstance(text, str):
        raise error("EMALFORMED", f"{what}: expected a base64 string, got {type(text).__name__}")
    if not _BASE64.match(text) or len(text) % 4:
        raise error("EMALFORMED", f"{what}: not valid base64 (standard alphabet, padded)")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise error("EMALFORMED", f"{what}: not valid base64 ({exc})") from exc
