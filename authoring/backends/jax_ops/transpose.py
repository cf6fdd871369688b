"""Transpose in JAX; ``perm`` is checked by the reference's rule."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops.transpose import _perm

register("Transpose", lambda inputs, attrs: jnp.transpose(inputs[0], _perm(inputs[0].shape, attrs["perm"])))
