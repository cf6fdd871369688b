"""Concat in JAX: ``jnp.concatenate`` along ``axis``."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops._common import norm_axis


def _lower(inputs, attrs):
    return jnp.concatenate(inputs, axis=norm_axis("Concat", attrs["axis"], inputs[0].ndim))


register("Concat", _lower)
