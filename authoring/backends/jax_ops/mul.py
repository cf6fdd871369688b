"""Mul in JAX: ``jnp.multiply(a, b)`` with numpy broadcasting."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register


def _lower(inputs, attrs):
    a, b = inputs
    return jnp.multiply(a, b)


register("Mul", _lower)
