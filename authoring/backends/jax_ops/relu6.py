"""Relu6 in JAX: the shared ``relu6`` activation."""

from webgrad.backends.jax_ops._activation import activate
from webgrad.backends.jax_ops._registry import register

register("Relu6", lambda inputs, attrs: activate(inputs[0], "relu6"))
