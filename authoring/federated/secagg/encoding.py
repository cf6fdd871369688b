"""Fixed-point encoding of an update into 32-bit words, and base64 for bytes in JSON messages.

A client encodes ``v = clip(weight * update, -R, R)`` as ``floor(v * 2^f + 0.5) mod 2^32`` (round half
up: the same integer in Python and JS), then one extra word carrying the integer weight. Sums are taken
mod 2^32; ``round_config`` picks ``f`` so that the sum of all clients' words stays within the signed
32-bit range, so the decoded sum is exact up to rounding: at most ``clients * 2^-(f+1)`` per coordinate.
"""

from __future__ import annotations

import base64
import math

import numpy as np

from webgrad.federated.b64 import strict_b64decode
from webgrad.federated.secagg.errors import SecAggError

MODULUS = 2**32


def encode_update(update: np.ndarray, weight: float, clip_range: float, frac_bits: int,
                  max_weight: int) -> tuple[np.ndarray, int]:
    """The uint32 words of ``weight * update`` clipped to ``[-clip_range, clip_range]`` plus the weight word,
    and how many coordinates the clip changed.

    >>> words, clipped = encode_update(np.array([0.5, -0.25, 9.0], np.float32), 2, 4.0, 8, 1000)
    >>> words.tolist(), clipped
    ([256, 4294967168, 1024, 2], 1)
    """
    x = np.asarray(update)
    if x.ndim != 1 or x.dtype != np.float32:
        raise TypeError(f"update: expected a 1-D float32 array, got {x.dtype} of shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("update: contains NaN or Inf")
    if not (isinstance(weight, (int, float, np.integer, np.floating)) and math.isfinite(weight)
            and float(weight) == int(weight) and 0 <= weight <= max_weight):
        raise ValueError(f"weight: expected an integer example count in [0, {max_weight}], got {weight!r}")
    v = x.astype(np.float64) * float(weight)
    clipped = int(np.count_nonzero(np.abs(v) > clip_range))
    v = np.clip(v, -clip_range, clip_range)
    q = np.floor(v * 2.0**frac_bits + 0.5).astype(np.int64)
    words = np.empty(x.size + 1, np.uint32)
    words[:-1] = (q % MODULUS).astype(np.uint32)
    words[-1] = int(weight)
    return words, clipped


def decode_sum(words: np.ndarray, frac_bits: int) -> tuple[np.ndarray, float]:
    """The float64 sum vector and the total weight from summed words (two's complement coordinates).

    >>> decode_sum(np.array([256, 4294967168, 3], np.uint32), 8)
    (array([ 1. , -0.5]), 3.0)
    """
    signed = words[:-1].astype(np.uint32).view(np.int32).astype(np.float64)
    return signed / 2.0**frac_bits, float(words[-1])


def add_mod(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a + b mod 2^32`` for uint32 arrays."""
    return (a.astype(np.uint64) + b.astype(np.uint64)).astype(np.uint32)


def sub_mod(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a - b mod 2^32`` for uint32 arrays."""
    return (a.astype(np.uint64) + (MODULUS - b.astype(np.uint64))).astype(np.uint32)


def b64encode(data: bytes) -> str:
    """Standard base64 with padding, as JSON messages carry bytes."""
    return base64.b64encode(data).decode("ascii")


def b64decode(text: object, what: str) -> bytes:
    """Strict base64 decoding (``webgrad.federated.b64``, shared with the plain update check); anything
    else raises ``SecAggError`` (EMALFORMED) naming ``what``."""
    return strict_b64decode(text, what, SecAggError)
