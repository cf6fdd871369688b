"""Dequantize in JAX: (float32(x) - zero_point) * scale, per tensor or per channel along ``axis``."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops.dequantize import _check


def _lower(inputs, attrs):
    x, scale, zero_point = inputs
    axis = _check(x.shape, [None if p is None else p.shape for p in (scale, zero_point)], attrs["axis"])
    along = (-1,) + (1,) * (x.ndim - axis - 1) if axis is not None else ()
    y = jnp.asarray(x).astype(jnp.float32)
    if zero_point is not None:
        y = y - jnp.reshape(zero_point, along)
    if scale is not None:
        y = y * jnp.reshape(scale, along)
    return y


register("Dequantize", _lower)
