"""ReduceSum in JAX: ``jnp.sum`` over ``axes``."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._reduce import reduce
from webgrad.backends.jax_ops._registry import register

register("ReduceSum", lambda inputs, attrs: reduce("ReduceSum", jnp.sum, inputs[0], attrs))
