"""The comparison ops in JAX: ``jnp.<fn>(a, b)`` as the op set's float32 mask."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register


def register_compare(op: str, fn) -> None:
    """Registers ``op`` as ``fn(a, b)`` cast to float32 (1.0 true, 0.0 false)."""
    register(op, lambda inputs, attrs: fn(inputs[0], inputs[1]).astype(jnp.float32))
