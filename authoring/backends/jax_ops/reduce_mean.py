"""ReduceMean in JAX: ``jnp.mean`` over ``axes``."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._reduce import reduce
from webgrad.backends.jax_ops._registry import register

register("ReduceMean", lambda inputs, attrs: reduce("ReduceMean", jnp.mean, inputs[0], attrs))
