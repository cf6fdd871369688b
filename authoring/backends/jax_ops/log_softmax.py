"""LogSoftmax in JAX, stable like the reference: x - max - log(sum(exp(x - max)))."""

import jax.numpy as jnp
from jax import lax

from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops._common import norm_axis


def _lower(inputs, attrs):
    x = inputs[0]
    axis = norm_axis("LogSoftmax", attrs["axis"], x.ndim)
    shifted = x - lax.stop_gradient(jnp.max(x, axis=axis, keepdims=True, initial=-jnp.inf))
    return shifted - jnp.log(jnp.sum(jnp.exp(shifted), axis=axis, keepdims=True))


register("LogSoftmax", _lower)
