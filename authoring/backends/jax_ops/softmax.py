"""Softmax in JAX, stable like the reference: exp(x - max) / sum(exp(x - max)); a NaN or +Inf in a row
makes the row NaN (through the max)."""

import jax.numpy as jnp
from jax import lax

from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops._common import norm_axis


def _lower(inputs, attrs):
    x = inputs[0]
    axis = norm_axis("Softmax", attrs["axis"], x.ndim)
    # the shift changes no value, so it carries no gradient
    e = jnp.exp(x - lax.stop_gradient(jnp.max(x, axis=axis, keepdims=True, initial=-jnp.inf)))
    return e / jnp.sum(e, axis=axis, keepdims=True)


register("Softmax", _lower)
