"""Relu in JAX: the shared ``relu`` activation."""

from ._activation import activate
from ._registry import register

register("Relu", lambda inputs, attrs: activate(inputs[0], "relu"))
