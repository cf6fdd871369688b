"""Sigmoid in JAX: the shared ``sigmoid`` activation."""

from ._activation import activate
from ._registry import register

register("Sigmoid", lambda inputs, attrs: activate(inputs[0], "sigmoid"))
