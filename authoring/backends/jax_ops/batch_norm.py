"""BatchNorm (inference form) in JAX: (x - mean) * scale / sqrt(var + epsilon) + bias."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops.batch_norm import _shape


def _lower(inputs, attrs):
    x, scale, bias, mean, var = inputs
    _shape([a.shape for a in inputs], [], attrs)
    return (x - mean) * (scale / jnp.sqrt(var + jnp.float32(attrs["epsilon"]))) + bias


register("BatchNorm", _lower)
