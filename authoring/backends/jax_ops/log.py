"""Log in JAX: ``jnp.log`` (IEEE special values, as the op set says)."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register

register("Log", lambda inputs, attrs: jnp.log(inputs[0]))
