"""Minimum in JAX: ``jnp.minimum(a, b)`` with numpy broadcasting."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register


def _lower(inputs, attrs):
    a, b = inputs
    return jnp.minimum(a, b)


register("Minimum", _lower)
