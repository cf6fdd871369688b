"""Div in JAX: ``jnp.divide(a, b)`` with numpy broadcasting."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register


def _lower(inputs, attrs):
    a, b = inputs
    return jnp.divide(a, b)


register("Div", _lower)
