"""The JAX lowering registry: op-set name -> ``lower(inputs, attrs) -> jax array``.

Same calling convention as the numpy reference's ``forward`` (``webgrad.raw_ops.registry``): inputs in
op-set order (``None`` for an absent optional input), attrs checked and defaulted. A lowering is pure
``jax.numpy``/``lax`` code, so ``jax.grad`` differentiates it and ``jax.jit`` compiles it; shape and
attribute rules are the numpy op modules' own helpers, never restated here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Lowering = Callable[[Sequence[Any], dict[str, Any]], Any]
LOWERINGS: dict[str, Lowering] = {}


class MissingLoweringError(NotImplementedError):
    """An op the jax backend cannot run."""


def register(name: str, lower: Lowering) -> Lowering:
    """Registers the JAX lowering of op-set op ``name``."""
    if name in LOWERINGS:
        raise AssertionError(f"JAX lowering of {name} registered twice")
    LOWERINGS[name] = lower
    return lower


def lowering(name: str) -> Lowering:
    """The lowering of ``name``; an error naming the op when there is none."""
    fn = LOWERINGS.get(name)
    if fn is None:
        raise MissingLoweringError(f"op {name} has no JAX lowering; train this model with backend='numpy'")
    return fn
