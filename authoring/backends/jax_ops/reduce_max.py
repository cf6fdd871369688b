"""ReduceMax in JAX: ``jnp.max`` over ``axes``."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._reduce import reduce
from webgrad.backends.jax_ops._registry import register


def _max(x, axis, keepdims):
    # initial=-inf: a zero-size reduced axis gives -Inf (the op set's 'empty'), not an error
    return jnp.max(x, axis=axis, keepdims=keepdims, initial=-jnp.inf)


register("ReduceMax", lambda inputs, attrs: reduce("ReduceMax", _max, inputs[0], attrs))
