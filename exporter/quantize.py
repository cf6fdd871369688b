"""Weight quantization for bundles: float16 storage and int8 symmetric per-channel.

A bundle stores each weight either as is (float32, int32) or quantized, with the scheme recorded in
its ``quantization`` entry; every runtime dequantizes to float32 at load and then computes in float32.

Rules (which tensors a scheme touches; the others are returned unchanged with ``None``):

- ``"float16"``: float32 tensors with at least 2 elements whose values all fit float16 (|x| <= 65504);
  scalars, and tensors that would overflow, stay float32. Dequantized: ``float32(stored)``, exact.
- ``"int8"`` (scheme name in the bundle: ``int8_symmetric``): float32 tensors of rank >= 2, per channel
  along the LAST axis (the output channel of a MatMul ``b`` [K, N] and of a Conv2D HWIO filter).
  ``scale[c] = max|w[..., c]| / 127`` (1 for an all-zero channel), ``q = clip(round_half_even(w /
  scale), -127, 127)``; dequantized: ``float32(q) * scale[c]`` (the ``Dequantize`` op with ``axis``),
  so ``|w - dequantized| <= scale[c] / 2``. Vectors (biases, norm parameters) and scalars stay float32.
- int32 tensors are never quantized.

>>> import numpy as np
>>> w = np.array([[0.5, -2.0], [-1.0, 1.0]], np.float32)
>>> q, info = quantize_tensor(w, "int8")
>>> q.dtype, info["axis"], info["scales"] == [float(np.float32(1 / 127)), float(np.float32(2 / 127))]
(dtype('int8'), 1, True)
>>> bool(np.all(np.abs(dequantize_tensor(q, info) - w) <= np.array(info["scales"]) / 2))
True
>>> quantize_tensor(np.float32([1.0, 2.0]), "int8")[1] is None   # vectors stay float32
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from webgrad import raw_ops as ops

SCHEMES = ("float16", "int8")
FLOAT16_MAX = 65504.0
INT8_SCHEME = "int8_symmetric"


def _check_scheme(scheme: str | None) -> None:
    if scheme is not None and scheme not in SCHEMES:
        raise ValueError(f"unknown quantization {scheme!r}; valid: None, {', '.join(map(repr, SCHEMES))}")


def quantize_tensor(arr: np.ndarray, scheme: str | None) -> tuple[np.ndarray, dict[str, Any] | None]:
    """Returns ``(stored array, quantization entry)``; ``(arr, None)`` when ``scheme`` leaves ``arr`` as is.

    >>> quantize_tensor(np.float32([0.1, 3.0]), "float16")
    (array([0.1, 3. ], dtype=float16), {'scheme': 'float16'})
    >>> quantize_tensor(np.float32(2.0), "float16")[1] is None   # scalars stay float32
    True
    """
    _check_scheme(scheme)
    arr = np.asarray(arr)
    if scheme is None or arr.dtype != np.float32:
        return arr, None
    if scheme == "float16":
        if arr.size < 2 or not np.all(np.abs(arr) <= FLOAT16_MAX):
            return arr, None
        return arr.astype(np.float16), {"scheme": "float16"}
    if arr.ndim < 2 or arr.size == 0:
        return arr, None
    axis = arr.ndim - 1
    peak = np.max(np.abs(arr.reshape(-1, arr.shape[axis])), axis=0)
    scales = np.where(peak > 0, peak / np.float32(127), np.float32(1)).astype(np.float32)
    # float64 division so only the final rounding matters; np.rint rounds half to even
    q = np.clip(np.rint(arr.astype(np.float64) / scales), -127, 127).astype(np.int8)
    return q, {"scheme": INT8_SCHEME, "axis": axis, "scales": [float(s) for s in scales]}


def dequantize_tensor(stored: np.ndarray, quantization: dict[str, Any] | None) -> np.ndarray:
    """The float32 weight a runtime computes with; ``stored`` unchanged when ``quantization`` is None.

    >>> dequantize_tensor(np.int8([[2, -127]]), {"scheme": "int8_symmetric", "axis": 1, "scales": [0.5, 0.25]})
    array([[  1.  , -31.75]], dtype=float32)
    """
    if quantization is None:
        return stored
    scheme = quantization["scheme"]
    if scheme == "float16":
        return stored.astype(np.float32)
    if scheme == INT8_SCHEME:
        scales = np.asarray(quantization["scales"], np.float32)
        with ops.no_grad():
            return ops.apply("Dequantize", stored, scales, axis=int(quantization["axis"])).data
    raise ValueError(f"unknown quantization scheme {scheme!r}; valid: 'float16', {INT8_SCHEME!r}")
