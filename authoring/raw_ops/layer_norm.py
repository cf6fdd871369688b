"""LayerNorm over the axes from 'axis' to the last, with the biased variance:
y = (x - mean) / sqrt(var + epsilon) * gamma + beta."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._common import batched_only, dims_agree, norm_axis
from webgrad.raw_ops.registry import Array, Shape, ShapeError, register


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    x = tuple(shapes[0])
    axis = norm_axis("LayerNorm", attrs["axis"], len(x))
    for name, s in zip(("gamma", "beta"), shapes[1:], strict=True):
        s = tuple(s)
        if len(s) != len(x) - axis or not all(dims_agree(a, b) for a, b in zip(s, x[axis:], strict=True)):
            raise ShapeError(f"LayerNorm: {name} must be x[{axis}:] = {x[axis:]} for x {x}, got {s}")
    return x, "float32"


def _normalize(x: Array, attrs: dict[str, Any]) -> tuple[Array, Array, tuple[int, ...]]:
    """xhat, 1/sqrt(var + eps) (kept dims) and the normalized axes."""
    axes = tuple(range(norm_axis("LayerNorm", attrs["axis"], x.ndim), x.ndim))
    xc = x - x.mean(axis=axes, keepdims=True)
    inv = 1 / np.sqrt(np.mean(xc * xc, axis=axes, keepdims=True) + attrs["epsilon"])
    xc *= inv
    return xc, inv, axes


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    x, gamma, beta = inputs
    _shape([a.shape for a in inputs], [], attrs)
    y, _, _ = _normalize(x, attrs)
    y *= gamma
    y += beta
    return y


def _vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array]:
    return _vjp_per_example(g, inputs, output, attrs, (False, False, False))


def _vjp_per_example(
    g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any], per_example: Sequence[bool]
) -> list[Array]:
    """Gradients; flagged gamma/beta get one per example, ``[B, *x[axis:]]``."""
    x, gamma, _ = inputs
    xhat, inv, axes = _normalize(x, attrs)
    if per_example[0] or (any(per_example) and axes[0] == 0):
        raise batched_only("LayerNorm", "x" if per_example[0] else "gamma/beta normalized over the batch")
    dxhat = g * gamma
    dx = dxhat - dxhat.mean(axis=axes, keepdims=True)
    dx -= xhat * np.mean(dxhat * xhat, axis=axes, keepdims=True)
    dx *= inv
    lead = tuple(range(axes[0]))
    param_grads = []
    for flag, term in zip(per_example[1:], (g * xhat, g), strict=True):
        param_grads.append(np.sum(term, axis=lead[1:] if flag else lead))
    return [dx, *param_grads]


register("LayerNorm", forward=_forward, shape=_shape, vjp=_vjp, vjp_per_example=_vjp_per_example)
