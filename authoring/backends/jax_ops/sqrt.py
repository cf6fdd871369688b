"""Sqrt in JAX: ``jnp.sqrt`` (IEEE special values, as the op set says)."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register

register("Sqrt", lambda inputs, attrs: jnp.sqrt(inputs[0]))
