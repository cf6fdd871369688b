"""LayerNorm in JAX: normalizes over axes [axis, rank) with the biased variance, then gamma and beta."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops._common import norm_axis
from webgrad.raw_ops.layer_norm import _shape


def _lower(inputs, attrs):
    x, gamma, beta = inputs
    _shape([a.shape for a in inputs], [], attrs)
    axes = tuple(range(norm_axis("LayerNorm", attrs["axis"], x.ndim), x.ndim))
    xc = x - jnp.mean(x, axis=axes, keepdims=True)
    inv = 1 / jnp.sqrt(jnp.mean(xc * xc, axis=axes, keepdims=True) + jnp.float32(attrs["epsilon"]))
    return xc * inv * gamma + beta


register("LayerNorm", _lower)
