"""Abs in JAX: ``jnp.abs`` with the op set's gradient g * sign(x), 0 at x = 0 (``jax.grad(jnp.abs)(0.0)``
is 1, so the JVP is given here to keep the jax backend's gradients the numpy reference's)."""

import jax
import jax.numpy as jnp

from webgrad.backends.jax_ops._registry import register


@jax.custom_jvp
def _abs(x):
    return jnp.abs(x)


@_abs.defjvp
def _abs_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return jnp.abs(x), jnp.sign(x) * t


register("Abs", lambda inputs, attrs: _abs(inputs[0]))
