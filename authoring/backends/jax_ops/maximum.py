"""Maximum in JAX: ``jnp.maximum(a, b)`` with numpy broadcasting."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register


def _lower(inputs, attrs):
    a, b = inputs
    return jnp.maximum(a, b)


register("Maximum", _lower)
