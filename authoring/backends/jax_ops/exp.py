"""Exp in JAX: ``jnp.exp`` (IEEE special values, as the op set says)."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register

register("Exp", lambda inputs, attrs: jnp.exp(inputs[0]))
