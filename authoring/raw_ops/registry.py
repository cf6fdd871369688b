"""The numpy reference registry: one entry per op in the op set.

Every op module in this folder registers exactly one op by its op-set name with:

- ``forward(inputs, attrs) -> np.ndarray``: the reference. ``inputs`` is the positional list of
  numpy arrays in op-set order (``None`` for an absent optional input; a variadic op gets all its
  arrays); ``attrs`` is the full attribute dict, already checked and defaulted against the op set.
  Float math is float32.
- ``shape(shapes, dtypes, attrs) -> (shape, dtype)``: the shape rule. Dims may be ``None`` (unknown,
  e.g. the batch); raise ``ShapeError`` naming what disagrees.
- ``vjp(g, inputs, output, attrs) -> list``: for differentiable ops, the gradient for each input
  (``None`` where the input is absent or not differentiable), each with that input's shape.
- ``vjp_per_example(g, inputs, output, attrs, per_example) -> list``: optional (when ``vjp`` is not
  given, it serves as the VJP too, with no input flagged); like ``vjp`` but for
  each input ``i`` with ``per_example[i]`` true (a parameter, not batched) it returns the gradient of
  every example separately, shape ``[batch, *input_shape]``. Used by DP-SGD.

Either VJP may take a keyword ``needs`` (one bool per input): autodiff then passes which inputs want a
gradient, and the rule may return ``None`` for the others (e.g. Conv2D skips the gradient of the image).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Array = np.ndarray
Shape = tuple  # of int | None


class ShapeError(ValueError):
    """Input shapes that an op cannot take."""


@dataclass(frozen=True)
class OpImpl:
    name: str
    forward: Callable[[Sequence[Array | None], dict[str, Any]], Array]
    shape: Callable[[Sequence[Shape | None], Sequence[str | None], dict[str, Any]], tuple[Shape, str]]
    vjp: Callable[..., list[Array | None]] | None = None
    vjp_per_example: Callable[..., list[Array | None]] | None = None
    takes_needs: bool = field(default=False)


def _takes_needs(fn: Callable | None) -> bool:
    return fn is not None and "needs" in inspect.signature(fn).parameters


REGISTRY: dict[str, OpImpl] = {}


def _plain_vjp(vjp_per_example: Callable) -> Callable:
    """The ordinary VJP of an op whose per-example rule also covers the batch-summed case."""
    if _takes_needs(vjp_per_example):
        def vjp(g: Array, inputs: Sequence[Array | None], output: Array, attrs: dict[str, Any],
                needs: Sequence[bool] | None = None) -> list[Array | None]:
            flags = [False] * len(inputs)
            return vjp_per_example(g, inputs, output, attrs, flags, needs=needs or [True] * len(inputs))
    else:
        def vjp(g: Array, inputs: Sequence[Array | None], output: Array, attrs: dict[str, Any]) -> list[Array | None]:
            return vjp_per_example(g, inputs, output, attrs, [False] * len(inputs))
    return vjp


def register(
    name: str,
    *,
    forward: Callable,
    shape: Callable,
    vjp: Callable | None = None,
    vjp_per_example: Callable | None = None,
) -> OpImpl:
    """Registers the numpy reference of op ``name`` (an op-set name)."""
    if name in REGISTRY:
        raise AssertionError(f"op {name} registered twice")
    if vjp is None and vjp_per_example is not None:
        vjp = _plain_vjp(vjp_per_example)
    if vjp is not None and vjp_per_example is not None and _takes_needs(vjp) != _takes_needs(vjp_per_example):
        raise AssertionError(f"op {name}: vjp and vjp_per_example must both take `needs` or neither")
    impl = OpImpl(name, forward, shape, vjp, vjp_per_example, _takes_needs(vjp))
    REGISTRY[name] = impl
    return impl


# ---- helpers shared by the op modules -------------------------------------------------------


def unbroadcast(g: Array, shape: Sequence[int]) -> Array:
    """Sums ``g`` down to ``shape``: the VJP of numpy broadcasting."""
    shape = tuple(shape)
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(extra))) if extra > 0 else g
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def unbroadcast_per_example(g: Array, shape: Sequence[int]) -> Array:
    """Like ``unbroadcast`` but keeps g's leading (batch) axis: result is ``[batch, *shape]``."""
    shape = tuple(shape)
    lead = g.ndim - len(shape)
    if lead == 0 and shape and shape[0] == 1:
        g, lead = g[:, None], 1  # a [1, ...] parameter broadcast over the batch: each example its row
    if lead < 1:
        raise ShapeError(f"cannot take per-example gradients of a {shape} parameter from a {g.shape} output")
    g = g.sum(axis=tuple(range(1, lead))) if lead > 1 else g
    axes = tuple(i + 1 for i, n in enumerate(shape) if n == 1 and g.shape[i + 1] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape((g.shape[0], *shape))


def broadcast_shapes(op: str, a: Shape, b: Shape) -> Shape:
    """numpy broadcasting of two shapes that may hold ``None`` (unknown) dims."""
    out = []
    for i in range(max(len(a), len(b))):
        x = a[len(a) - 1 - i] if i < len(a) else 1
        y = b[len(b) - 1 - i] if i < len(b) else 1
        if x == 1:
            out.append(y)
        elif y == 1 or y is None or x == y:
            out.append(x)
        elif x is None:
            out.append(y)
        else:
            raise ShapeError(f"{op}: shapes {tuple(a)} and {tuple(b)} do not broadcast")
    return tuple(reversed(out))


def f32(x: Array) -> Array:
    """Returns x as float32 (no copy when it already is)."""
    return np.asarray(x, dtype=np.float32)
