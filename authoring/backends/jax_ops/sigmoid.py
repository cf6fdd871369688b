"""Sigmoid in JAX: the shared ``sigmoid`` activation."""

from webgrad.backends.jax_ops._activation import activate
from webgrad.backends.jax_ops._registry import register

register("Sigmoid", lambda inputs, attrs: activate(inputs[0], "sigmoid"))
