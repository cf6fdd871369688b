"""GlobalAvgPool in JAX: the mean over H and W of NHWC x."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops._common import need_rank


def _lower(inputs, attrs):
    need_rank("GlobalAvgPool", "x (NHWC)", inputs[0].shape, 4)
    return jnp.mean(inputs[0], axis=(1, 2))


register("GlobalAvgPool", _lower)
