"""Gelu in JAX: the exact erf form, or the tanh form with ``approximate`` (as the numpy reference)."""

from webgrad.backends.jax_ops._activation import activate
from webgrad.backends.jax_ops._registry import register

register("Gelu", lambda inputs, attrs: activate(inputs[0], "gelu_tanh" if attrs["approximate"] else "gelu"))
