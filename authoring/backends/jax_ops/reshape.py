"""Reshape in JAX; the target shape (0 copies a dim, one -1) is the reference's ``target_shape``."""

from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops.reshape import target_shape

register("Reshape", lambda inputs, attrs: inputs[0].reshape(target_shape(inputs[0].shape, attrs["shape"])))
