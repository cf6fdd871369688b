"""MaxPool2D in JAX: a max ``reduce_window``; padding never wins (it is -Inf)."""

from jax import lax

from ._pool import reduce_window
from ._registry import register

register("MaxPool2D", lambda inputs, attrs: reduce_window("MaxPool2D", inputs[0], attrs, -float("inf"), lax.max))
