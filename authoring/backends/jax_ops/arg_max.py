"""ArgMax in JAX: int32 index of the largest value along ``axis`` (first on ties, first NaN wins)."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops._reduce import nonempty_axis


def _lower(inputs, attrs):
    x = inputs[0]
    axis = nonempty_axis("ArgMax", x.shape, attrs["axis"])  # the reference's rule: a size-0 axis is a ShapeError
    return jnp.argmax(x, axis=axis, keepdims=attrs["keepdims"]).astype(jnp.int32)


register("ArgMax", _lower)
