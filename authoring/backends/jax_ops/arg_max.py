"""ArgMax in JAX: int32 index of the largest value along ``axis`` (first on ties, first NaN wins)."""

import jax.numpy as jnp

from webgrad.ops._common import norm_axis

from ._registry import register


def _lower(inputs, attrs):
    x = inputs[0]
    axis = norm_axis("ArgMax", attrs["axis"], x.ndim)
    return jnp.argmax(x, axis=axis, keepdims=attrs["keepdims"]).astype(jnp.int32)


register("ArgMax", _lower)
