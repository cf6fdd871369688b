"""AvgPool2D in JAX: a sum ``reduce_window`` divided by the number of real (unpadded) pixels in each
window, as the reference counts them."""

import jax.numpy as jnp
from jax import lax

from webgrad.backends.jax_ops._pool import reduce_window
from webgrad.backends.jax_ops._registry import register


def _lower(inputs, attrs):
    x = inputs[0]
    total = reduce_window("AvgPool2D", x, attrs, 0.0, lax.add)
    counts = reduce_window("AvgPool2D", jnp.ones((1, *x.shape[1:3], 1), x.dtype), attrs, 0.0, lax.add)
    return total / counts


register("AvgPool2D", _lower)
