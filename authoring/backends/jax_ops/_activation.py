"""The activations in JAX, shared by the fused MatMul/Conv2D epilogue and the unary activation ops
(names as in ``webgrad.raw_ops._activation``). Gradients at the kinks follow the numpy reference: relu
and relu6 have slope 0 at their corners."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
from jax.scipy.special import erfc

_SQRT1_2 = 1.0 / math.sqrt(2.0)
_TANH_C = math.sqrt(2.0 / math.pi)
_TANH_K = 0.044715


def activate(z: Any, name: str, alpha: float = 0.2) -> Any:
    """Applies activation ``name`` to ``z``."""
    if name == "none":
        return z
    if name == "relu":
        return jax.nn.relu(z)
    if name == "relu6":
        return jax.nn.relu6(z)
    if name == "leaky_relu":
        return jnp.where(z >= 0, z, z * jnp.float32(alpha))
    if name == "sigmoid":
        return jax.nn.sigmoid(z)
    if name == "tanh":
        return jnp.tanh(z)
    if name in ("gelu", "gelu_tanh"):
        # the same forms as the reference: Phi via erfc, the tanh form as a sigmoid; Gelu(-Inf) = 0
        if name == "gelu":
            cdf = erfc(z * jnp.float32(-_SQRT1_2)) * jnp.float32(0.5)
        else:
            cdf = jax.nn.sigmoid(jnp.float32(2 * _TANH_C) * (z + jnp.float32(_TANH_K) * z * z * z))
        return jnp.where(cdf == 0, jnp.zeros_like(z), z * cdf)
    raise ValueError(f"unknown activation {name!r}")
