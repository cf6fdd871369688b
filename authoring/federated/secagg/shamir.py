"""Shamir t-of-n secret sharing over the prime field GF(2^521 - 1) (a Mersenne prime larger than any
secret shared here: 32-byte X25519 private keys and 16-byte mask seeds). The npm package holds the same
code with BigInt (js_runtime/src/federated/secagg/shamir.js); shares are identical for the same
coefficients.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from webgrad.federated.secagg.errors import SecAggError

PRIME = 2**521 - 1
ELEMENT_BYTES = 66  # ceil(521 / 8): a field element as fixed-width big-endian bytes


def split(secret: int, threshold: int, xs: Sequence[int], coefficients: Sequence[int] | None = None) -> list[int]:
    """Shares of ``secret`` at the points ``xs`` (distinct, non-zero): the values at ``xs`` of a random
    polynomial of degree ``threshold - 1`` whose constant term is the secret. ``coefficients`` (the
    ``threshold - 1`` higher ones) are random unless given, for test vectors only.

    >>> split(42, 2, [1, 2, 3], coefficients=[5])
    [47, 52, 57]
    """
    if not 0 <= secret < PRIME:
        raise ValueError("split: secret must lie in [0, 2^521 - 1)")
    if coefficients is None:
        coefficients = [secrets.randbelow(PRIME) for _ in range(threshold - 1)]
    if len(coefficients) != threshold - 1:
        raise ValueError(f"split: expected {threshold - 1} coefficients for threshold {threshold}")
    poly = [secret, *coefficients]
    shares = []
    for x in xs:
        acc = 0
        for c in reversed(poly):  # Horner
            acc = (acc * x + c) % PRIME
        shares.append(acc)
    return shares


def combine(points: Sequence[tuple[int, int]], threshold: int, what: str) -> int:
    """The secret from at least ``threshold`` shares ``(x, y)``: Lagrange interpolation at 0 over the first
    ``threshold`` of them. Fewer shares raise ``SecAggError`` naming ``what``.

    >>> combine([(2, 52), (3, 57)], 2, "demo")
    42
    """
    if len(points) < threshold:
        raise SecAggError("ESTATE", f"{what}: {len(points)} shares, fewer than the threshold {threshold}")
    pts = list(points)[:threshold]
    secret = 0
    for i, (xi, yi) in enumerate(pts):
        num, den = 1, 1
        for j, (xj, _) in enumerate(pts):
            if i != j:
                num = num * (-xj) % PRIME
                den = den * (xi - xj) % PRIME
        secret = (secret + yi * num * pow(den, -1, PRIME)) % PRIME
    return secret


def to_bytes(value: int) -> bytes:
    """A field element as 66 big-endian bytes."""
    return value.to_bytes(ELEMENT_BYTES, "big")


def from_bytes(data: bytes, what: str) -> int:
    """The field element of :func:`to_bytes`; a wrong length or a value outside the field raises."""
    if len(data) != ELEMENT_BYTES:
        raise SecAggError("EMALFORMED", f"{what}: a share has {ELEMENT_BYTES} bytes, got {len(data)}")
    value = int.from_bytes(data, "big")
    if value >= PRIME:
        raise SecAggError("EMALFORMED", f"{what}: share value outside the field")
    return value
