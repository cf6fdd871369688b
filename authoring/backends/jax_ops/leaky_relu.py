"""LeakyRelu in JAX: the shared ``leaky_relu`` activation with the op's ``alpha``."""

from webgrad.backends.jax_ops._activation import activate
from webgrad.backends.jax_ops._registry import register

register("LeakyRelu", lambda inputs, attrs: activate(inputs[0], "leaky_relu", attrs["alpha"]))
