"""The activations: one forward and one gradient each, shared by the fused MatMul/Conv2D epilogue
and the unary ops Relu, Relu6, LeakyRelu, Sigmoid, Tanh and Gelu.

Names are the op set's ``activations.values`` plus ``gelu_tanh`` (Gelu with ``approximate=true``;
the fused ``gelu`` is always the exact erf form).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.special import erfc, expit

Array = np.ndarray
PreActivation = Array | Callable[[], Array] | None

_SQRT1_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TANH_C = math.sqrt(2.0 / math.pi)
_TANH_K = 0.044715


def activate(z: Array, name: str, alpha: float = 0.2, *, inplace: bool) -> Array:
    """Applies activation ``name`` to ``z``.

    ``inplace=True`` overwrites ``z`` (callers pass a fresh GEMM/conv result, so no extra buffer);
    otherwise ``z`` is left untouched. Computes in ``z``'s dtype.
    """
    out = z if inplace else None
    if name == "none":
        return z
    if name == "relu":
        return np.maximum(z, 0, out=out)  # propagates NaN, like the op set asks
    if name == "relu6":
        y = np.maximum(z, 0, out=out)
        return np.minimum(y, 6, out=y)
    if name == "leaky_relu":
        if inplace:
            return np.multiply(z, alpha, out=z, where=z < 0)
        return np.where(z >= 0, z, z * alpha)
    if name == "sigmoid":
        return expit(z, out=out) if inplace else expit(z)  # expit never overflows
    if name == "tanh":
        return np.tanh(z, out=out)
    if name in ("gelu", "gelu_tanh"):
        return _gelu(z, out, exact=name == "gelu")
    raise ValueError(f"unknown activation {name!r}")


def _gelu(z: Array, out: Array | None, *, exact: bool) -> Array:
    # Phi via erfc (and the tanh form as a sigmoid, since 0.5 * (1 + tanh(u)) = sigmoid(2u)) keeps
    # full relative precision for negative x, where 1 + erf(...) would cancel. Computed in float64 and
    # rounded once: in float32 the rounding of x / sqrt(2) alone moves Phi(-10) by ~6e-6 relative, and
    # this is the reference the other implementations' relative tolerance is measured against.
    z64 = z.astype(np.float64, copy=False)
    with np.errstate(over="ignore", invalid="ignore"):  # x^3 may overflow; -Inf * 0 is fixed below
        cdf = _cdf(z64, exact)
        y64 = z64 * cdf
    y64[cdf == 0] = 0  # x * Phi(x) is -Inf * 0 = NaN at x = -Inf; the op set says 0
    if out is None:
        return y64.astype(z.dtype, copy=False)
    np.copyto(out, y64, casting="same_kind")
    return out


def _cdf(z: Array, exact: bool) -> Array:
    """Phi(z) (exact) or its tanh approximation."""
    if exact:
        cdf = erfc(z * -_SQRT1_2)
        cdf *= 0.5
        return cdf
    return expit(2 * _TANH_C * (z + _TANH_K * z * z * z))


def activation_grad(g: Array, y: Array, name: str, alpha: float = 0.2, pre: PreActivation = None) -> Array:
    """``g * act'(z)`` where ``y = act(z)``.

    Derived from the output ``y`` where it determines the slope (relu, relu6, leaky_relu with
    alpha > 0, sigmoid, tanh), so callers need not keep or recompute ``z``. ``pre`` is ``z`` or a
    function computing it, used only by gelu and by leaky_relu with alpha <= 0.
    """
    if name == "none":
        return g
    if name == "relu":
        return g * (y > 0)
    if name == "relu6":
        return g * ((y > 0) & (y < 6))
    if name == "leaky_relu":
        # With alpha > 0 the sign of y is the sign of z; otherwise only z tells the side.
        side = y if alpha > 0 else _resolve(pre)
        return np.where(side >= 0, g, g * alpha)
    if name == "sigmoid":
        return g * (y * (1 - y))
    if name == "tanh":
        return g * (1 - y * y)
    if name == "gelu":
        z = _resolve(pre)
        return g * (_cdf(z, True) + z * np.exp(-0.5 * z * z) * _INV_SQRT_2PI)
    if name == "gelu_tanh":
        z = _resolve(pre)
        s = _cdf(z, False)  # 0.5 * (1 + t), and 1 - t^2 = 4 s (1 - s)
        return g * (s + 2 * z * s * (1 - s) * _TANH_C * (1 + 3 * _TANH_K * z * z))
    raise ValueError(f"unknown activation {name!r}")


def _resolve(pre: PreActivation) -> Array:
    if pre is None:
        raise AssertionError("this activation's gradient needs the pre-activation")
    return pre() if callable(pre) else pre
