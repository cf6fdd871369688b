"""Greater in JAX: ``jnp.greater(a, b)`` as a float32 mask."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._compare import register_compare

register_compare("Greater", jnp.greater)
