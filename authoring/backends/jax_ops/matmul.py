"""MatMul in JAX: act(op(a) @ op(b) + bias), batched and broadcast like numpy.matmul. Under mixed
precision the operands are cast to bfloat16 and the product accumulates in float32."""

import jax.numpy as jnp

from webgrad.backends.jax_ops._activation import activate
from webgrad.backends.jax_ops._policy import operands
from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops.matmul import _shape


def _lower(inputs, attrs):
    a, b, bias = inputs
    _shape([a.shape, b.shape, None if bias is None else bias.shape], [], attrs)  # the reference's checks
    if attrs["transpose_a"]:
        a = jnp.swapaxes(a, -1, -2)
    if attrs["transpose_b"]:
        b = jnp.swapaxes(b, -1, -2)
    y = jnp.matmul(*operands(a, b), preferred_element_type=jnp.float32)
    if bias is not None:
        y = y + bias
    return activate(y, attrs["activation"], attrs["alpha"])


register("MatMul", _lower)
