"""Relu6 in JAX: the shared ``relu6`` activation."""

from ._activation import activate
from ._registry import register

register("Relu6", lambda inputs, attrs: activate(inputs[0], "relu6"))
