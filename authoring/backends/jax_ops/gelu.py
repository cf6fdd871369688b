"""Gelu in JAX: the exact erf form, or the tanh form with ``approximate`` (as the numpy reference)."""

from ._activation import activate
from ._registry import register

register("Gelu", lambda inputs, attrs: activate(inputs[0], "gelu_tanh" if attrs["approximate"] else "gelu"))
