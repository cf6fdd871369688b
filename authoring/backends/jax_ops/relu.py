"""Relu in JAX: the shared ``relu`` activation."""

from webgrad.backends.jax_ops._activation import activate
from webgrad.backends.jax_ops._registry import register

register("Relu", lambda inputs, attrs: activate(inputs[0], "relu"))
