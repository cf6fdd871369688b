"""Flatten in JAX; the 2-D shape is the reference's ``_flat`` rule."""

from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops.flatten import _flat

register("Flatten", lambda inputs, attrs: inputs[0].reshape(_flat(inputs[0].shape, attrs["axis"])))
