"""The JSON form of tensors, shared by test vectors and bundles: ``{dtype, shape, data}`` with the
little-endian bytes in base64, and the canonical text of a JSON document holding them.

Test vectors (``vectors``) and a bundle's self-test (``bundle_writer`` writes it, ``runner`` checks it)
store tensors the same way, and every runtime decodes them the same way; this module is that one way.
It needs numpy only, so the bundle code does not depend on the vector generator.

>>> import numpy as np
>>> t = encode(np.array([1.5, -2.0], np.float32))
>>> t
{'dtype': 'float32', 'shape': [2], 'data': 'AADAPwAAAMA='}
>>> decode(t)
array([ 1.5, -2. ], dtype=float32)
>>> render({"b": 1, "a": [t["dtype"]]})
'{\\n "a": [\\n  "float32"\\n ],\\n "b": 1\\n}\\n'
"""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np

__all__ = ["decode", "encode", "render"]


def encode(a: np.ndarray) -> dict[str, Any]:
    """A tensor as ``{dtype, shape, data}``; data is base64 of the little-endian bytes.

    >>> encode(np.zeros((1, 2), np.int32))["shape"]
    [1, 2]
    """
    a = np.asarray(a)
    return {
        "dtype": str(a.dtype),
        "shape": list(a.shape),
        "data": base64.b64encode(a.astype(a.dtype.newbyteorder("<")).tobytes()).decode("ascii"),
    }


def decode(t: dict[str, Any]) -> np.ndarray:
    """Inverse of ``encode``: the array in the machine's byte order.

    >>> decode(encode(np.arange(3, dtype=np.int32)))
    array([0, 1, 2], dtype=int32)
    """
    raw = base64.b64decode(t["data"])
    return np.frombuffer(raw, dtype=np.dtype(t["dtype"]).newbyteorder("<")).reshape(t["shape"]).astype(t["dtype"])


def render(doc: dict[str, Any]) -> str:
    """The file text of a JSON document: sorted keys, one-space indentation, trailing newline; NaN and
    infinities are refused (JSON has none; tensors carry them inside ``data``).

    >>> render({"x": 1})
    '{\\n "x": 1\\n}\\n'
    """
    return json.dumps(doc, indent=1, sort_keys=True, allow_nan=False) + "\n"
