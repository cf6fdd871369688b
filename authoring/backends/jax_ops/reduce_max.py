"""ReduceMax in JAX: ``jnp.max`` over ``axes``."""

import jax.numpy as jnp

from ._reduce import reduce
from ._registry import register

register("ReduceMax", lambda inputs, attrs: reduce("ReduceMax", jnp.max, inputs[0], attrs))
