"""Sign in JAX: ``jnp.sign``."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register

register("Sign", lambda inputs, attrs: jnp.sign(inputs[0]))
