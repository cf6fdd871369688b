"""Flatten in JAX; the 2-D shape is the reference's ``_flat`` rule."""

from webgrad.ops.flatten import _flat

from ._registry import register

register("Flatten", lambda inputs, attrs: inputs[0].reshape(_flat(inputs[0].shape, attrs["axis"])))
