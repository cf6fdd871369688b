"""Floor in JAX: ``jnp.floor``."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register

register("Floor", lambda inputs, attrs: jnp.floor(inputs[0]))
