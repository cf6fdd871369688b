"""Abs in JAX: ``jnp.abs`` (its gradient is sign(x) * g, 0 at 0, as the numpy reference's)."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register

register("Abs", lambda inputs, attrs: jnp.abs(inputs[0]))
