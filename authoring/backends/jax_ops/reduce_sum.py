"""ReduceSum in JAX: ``jnp.sum`` over ``axes``."""

import jax.numpy as jnp

from ._reduce import reduce
from ._registry import register

register("ReduceSum", lambda inputs, attrs: reduce("ReduceSum", jnp.sum, inputs[0], attrs))
