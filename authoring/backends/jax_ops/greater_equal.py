"""GreaterEqual in JAX: ``jnp.greater_equal(a, b)`` as a float32 mask."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._compare import register_compare

register_compare("GreaterEqual", jnp.greater_equal)
