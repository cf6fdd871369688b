"""MaxPool2D in JAX: a max ``reduce_window``; padding never wins (it is -Inf)."""

from jax import lax

from webgrad.backends.jax_ops._pool import reduce_window
from webgrad.backends.jax_ops._registry import register

register("MaxPool2D", lambda inputs, attrs: reduce_window("MaxPool2D", inputs[0], attrs, -float("inf"), lax.max))
