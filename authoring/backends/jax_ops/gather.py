"""Gather in JAX: ``jnp.take`` along ``axis``, negative indices counting from the end.

Concrete (host) indices are range-checked with the reference's error; traced indices cannot raise
inside a compiled program, so out-of-range ones are clamped there.
"""

from types import SimpleNamespace

import jax.numpy as jnp
import numpy as np

from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops._common import norm_axis
from webgrad.raw_ops.gather import _checked


def _lower(inputs, attrs):
    data, indices = inputs
    axis = norm_axis("Gather", attrs["axis"], data.ndim)
    if isinstance(indices, np.ndarray):
        # the reference's check reads only data.shape, so a shape stand-in serves for a traced table
        idx = _checked(SimpleNamespace(shape=tuple(data.shape)), indices, axis)
    else:
        idx = jnp.where(indices < 0, indices + data.shape[axis], indices)
    return jnp.take(data, idx, axis=axis, mode="clip")


register("Gather", _lower)
