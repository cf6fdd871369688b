"""Running a webgrad model as a pure JAX function, so ``jax.jit`` and ``jax.grad`` can take it.

Layers, losses and ``ops.apply`` stay exactly as they are (one definition of every layer and loss).
While a step is traced:

- ``lowered()`` points every entry of the op registry at its JAX lowering (``jax_ops``), so
  ``ops.apply`` keeps checking attributes and dtypes and then runs XLA code instead of numpy;
- ``bound(model, params, state, key)`` gives the model's weights the traced values, so a layer's
  ``call`` reads them as usual, and afterwards hands back what the layers wrote into their
  non-trainable weights (BatchNormalization's moving statistics) as the new state.

Both restore everything on exit: outside a trace the model is its numpy self.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from webgrad import raw_ops as ops
from webgrad.backends import jax_ops
from webgrad.backends.jax_ops._policy import computing_in
from webgrad.raw_ops.registry import REGISTRY
from webgrad.tensor import SymbolicTensor, Tensor


def _missing(name: str) -> Callable:
    def forward(inputs: Any, attrs: Any) -> Any:
        jax_ops.lowering(name)  # raises, naming the op

    return forward


@contextmanager
def lowered(compute_dtype: Any = None) -> Iterator[None]:
    """Inside, ``ops.apply`` runs the JAX lowering of every op (MatMul/Conv2D in ``compute_dtype``)."""
    saved = dict(REGISTRY)
    try:
        for name, impl in saved.items():
            fn = jax_ops.LOWERINGS.get(name) or _missing(name)
            REGISTRY[name] = dataclasses.replace(impl, forward=fn)
        with computing_in(compute_dtype):
            yield
    finally:
        REGISTRY.update(saved)


def model_ops(model: Any) -> list[str]:
    """The op-set ops a model's inference graph uses (from a symbolic trace of ``call``).

    >>> import webgrad as wg
    >>> model_ops(wg.Sequential([wg.layers.Input((4,)), wg.layers.Dense(2, activation="softmax")]))
    ['MatMul', 'Softmax']
    """
    class _Names:
        def __init__(self) -> None:
            self.names: list[str] = []

        def record(self, name: str, *args: Any) -> None:
            if name not in self.names:
                self.names.append(name)

    tracer = _Names()
    xs = [SymbolicTensor(s.shape, s.dtype) for s in model.inputs]
    with ops.tracing(tracer):
        model.call(xs if len(xs) > 1 else xs[0], training=False)
    return tracer.names


def check_lowerings(model: Any) -> None:
    """Fails early, naming the op, when the model uses an op with no JAX lowering."""
    for name in model_ops(model):
        jax_ops.lowering(name)


def all_layers(model: Any) -> list[Any]:
    """Every layer inside ``model``: nested models' layers and the layers custom layers hold as
    attributes (a Dropout inside a custom block needs a fresh key every step too)."""
    return list(model._flatten_layers(include_self=False))


class _JaxDraws:
    """A random layer's draws inside the traced step: fresh ``jax.random`` values from the step's key
    (see ``webgrad.layers._random_draws``)."""

    xp = jnp

    def __init__(self, keys: Any):
        self.keys = keys

    def uniform(self, shape: tuple) -> Any:
        return jax.random.uniform(self.keys(), shape, jnp.float32)

    def normal(self, shape: tuple) -> Any:
        return jax.random.normal(self.keys(), shape, jnp.float32)


class _Keys:
    """Hands out fresh PRNG keys split from one traced key (a Dropout layer asks for one per call)."""

    def __init__(self, key: Any):
        self.key = key

    def __call__(self) -> Any:
        self.key, sub = jax.random.split(self.key)
        return sub


def _dropout_call(layer: Any, keys: _Keys) -> Callable:
    # Dropout draws its mask from a numpy generator, which a compiled step cannot re-draw each step;
    # under JAX the mask comes from the step's key, with the layer's own rule (keep with 1 - rate,
    # scale the kept by 1 / (1 - rate)).
    def call(x: Any, training: bool = False) -> Any:
        if not training or layer.rate == 0:
            return x
        keep = jax.random.uniform(keys(), tuple(x.shape), jnp.float32) >= np.float32(layer.rate)
        return ops.Mul(x, Tensor(keep.astype(jnp.float32) / np.float32(1 - layer.rate)))

    return call


@contextmanager
def bound(model: Any, params: list[Any], state: list[Any], key: Any = None) -> Iterator[Callable[[], list]]:
    """Gives ``model.trainable_weights`` the values ``params`` and its other weights ``state``; yields a
    function returning the (possibly updated) state values. Restores the weights on exit."""
    trainable, others = model.trainable_weights, model.non_trainable_weights
    saved = [w.data for w in trainable + others]
    with ExitStack() as stack:
        try:
            for w, v in zip(trainable + others, list(params) + list(state), strict=True):
                w.data = v
            if key is not None:
                keys = _Keys(key)
                for layer in all_layers(model):
                    if type(layer).__name__ == "Dropout":
                        layer.call = _dropout_call(layer, keys)
                        stack.callback(delattr, layer, "call")
                    if hasattr(layer, "random_source"):
                        layer.random_source = _JaxDraws(keys)
                        stack.callback(setattr, layer, "random_source", None)
            yield lambda: [w.data for w in others]
        finally:
            for w, v in zip(trainable + others, saved, strict=True):
                w.data = v
