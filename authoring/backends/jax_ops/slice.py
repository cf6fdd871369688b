"""Slice in JAX: basic indexing with the reference's per-axis slices (numpy semantics)."""

from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops.slice import _slices

register("Slice", lambda inputs, attrs: inputs[0][_slices(inputs[0].shape, attrs)])
