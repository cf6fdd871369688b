"""Pad in JAX: one ``lax.pad`` (no interior padding) with the reference's checked (before, after) pairs."""

import jax.numpy as jnp
from jax import lax

from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops.pad import pad_pairs


def _lower(inputs, attrs):
    x = inputs[0]
    config = [(lo, hi, 0) for lo, hi in pad_pairs(x.shape, str(x.dtype), attrs)]
    return lax.pad(x, jnp.asarray(attrs["value"], x.dtype), config)


register("Pad", _lower)
