"""Tanh in JAX: the shared ``tanh`` activation."""

from ._activation import activate
from ._registry import register

register("Tanh", lambda inputs, attrs: activate(inputs[0], "tanh"))
