"""The numpy references of the gradient ops (the op set's ``gradOps``): one entry per gradient op.

Every module in this folder registers one gradient op by its op-set name with:

- ``forward(inputs, attrs) -> np.ndarray``: the reference, built on the forward op's own VJP in
  ``authoring/raw_ops/`` (the VJPs are the oracle; nothing here re-derives a gradient). ``inputs`` is the
  positional list in ``gradOps`` order; ``attrs`` is checked and defaulted against the op set.
- ``shape(shapes, dtypes, attrs) -> (shape, dtype)``: the shape rule (dims may be ``None``); raises
  ``ShapeError`` naming what disagrees. ``js_runtime/src/grad_shape_rules.js`` is its JS twin.

Inputs documented as "read only for its shape" (``like``, ``like_x``, ...) reach the VJPs as
:func:`shape_only` views, so a reference that read their data would read zeros, never the caller's data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from webgrad.exporter.opset import grad_op_spec, normalize_grad_attrs
from webgrad.raw_ops._common import dims_agree
from webgrad.raw_ops.registry import REGISTRY, Array, Shape, ShapeError

GradForward = Callable[[Sequence[Array], dict[str, Any]], Array]
GradShape = Callable[[Sequence[Shape], Sequence[str | None], dict[str, Any]], tuple[Shape, str]]


@dataclass(frozen=True)
class GradImpl:
    """The numpy reference and shape rule of one gradient op."""

    name: str
    forward: GradForward
    shape: GradShape


GRAD_REGISTRY: dict[str, GradImpl] = {}


def register_grad(name: str, *, forward: GradForward, shape: GradShape) -> GradImpl:
    """Registers the reference of gradient op ``name`` (a ``gradOps`` name)."""
    grad_op_spec(name)  # an unknown name is an error here, not a silent extra entry
    if name in GRAD_REGISTRY:
        raise AssertionError(f"gradient op {name} registered twice")
    impl = GradImpl(name, forward, shape)
    GRAD_REGISTRY[name] = impl
    return impl


def shape_only(x: Array) -> Array:
    """A read-only zero view with ``x``'s shape: what a "read only for its shape" input gives the VJPs.

    >>> float(shape_only(np.ones((2, 3), np.float32)).sum())
    0.0
    """
    return np.broadcast_to(np.zeros((), np.float32), np.shape(x))


def need_shape(op: str, what: str, got: Shape, want: Shape) -> None:
    """ShapeError unless ``got`` can equal ``want`` (an unknown dim agrees with anything)."""
    got, want = tuple(got), tuple(want)
    if len(got) != len(want) or not all(dims_agree(a, b) for a, b in zip(got, want, strict=True)):
        raise ShapeError(f"{op}: {what} must be {want}, got {got}")


def forward_shape(op: str, grad_op: str, shapes: Sequence[Shape | None], attrs: dict[str, Any]) -> Shape:
    """The forward op's output shape (its own shape rule), with errors renamed to the gradient op."""
    try:
        return tuple(REGISTRY[op].shape(shapes, [None] * len(shapes), attrs)[0])
    except ShapeError as e:
        raise ShapeError(f"{grad_op} (the VJP of {e})") from e


def apply_grad(name: str, *inputs: Array | None, **attrs: Any) -> Array:
    """Runs the reference of gradient op ``name``: attributes checked and defaulted, the shape rule
    applied (ShapeError before any arithmetic), then the reference.

    >>> import numpy as np
    >>> apply_grad("SumTo", np.ones((2, 3), np.float32), np.zeros(3, np.float32))
    array([2., 2., 2.], dtype=float32)
    """
    spec = grad_op_spec(name)
    full = normalize_grad_attrs(name, attrs)
    if len(inputs) != len(spec["inputs"]):
        names = ", ".join(i["name"] for i in spec["inputs"])
        raise TypeError(f"{name} takes inputs ({names}); got {len(inputs)}")
    arrays = [np.asarray(x) for x in inputs]
    for a, ispec in zip(arrays, spec["inputs"], strict=True):
        if str(a.dtype) not in ispec["dtypes"]:
            raise TypeError(f"{name} input {ispec['name']!r} must be {' or '.join(ispec['dtypes'])}, got {a.dtype}")
    impl = GRAD_REGISTRY[name]
    shape, _ = impl.shape([a.shape for a in arrays], [str(a.dtype) for a in arrays], full)
    out = np.asarray(impl.forward(arrays, full), dtype=np.float32)
    if out.shape != tuple(shape):
        raise AssertionError(f"{name}: the reference gave {out.shape} but the shape rule says {tuple(shape)}")
    return out
