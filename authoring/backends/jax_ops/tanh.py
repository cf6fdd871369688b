"""Tanh in JAX: the shared ``tanh`` activation."""

from webgrad.backends.jax_ops._activation import activate
from webgrad.backends.jax_ops._registry import register

register("Tanh", lambda inputs, attrs: activate(inputs[0], "tanh"))
