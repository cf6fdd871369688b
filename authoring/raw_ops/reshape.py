"""Reshape (row-major): in 'shape', 0 copies the input dim at that position and one -1 is inferred."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from webgrad.raw_ops._common import Dim, out_dtype, prod
from webgrad.raw_ops.registry import Array, Shape, ShapeError, register


def target_shape(x: Shape, spec: Sequence[int]) -> Shape:
    """The output shape for input shape ``x`` (dims may be None) and the 'shape' attribute."""
    where = f"Reshape: cannot reshape {tuple(x)} to {list(spec)}"
    if sum(1 for s in spec if s == -1) > 1 or any(s < -1 for s in spec):
        raise ShapeError(f"{where}: 'shape' may hold one -1 and no other negative value")
    if any(s == 0 and i >= len(x) for i, s in enumerate(spec)):
        raise ShapeError(f"{where}: a 0 copies an input dim, but the input has only {len(x)} dims")
    out: list[Dim] = [x[i] if s == 0 else s for i, s in enumerate(spec)]
    # Dims copied by a 0 appear on both sides and cancel, so an unknown batch copied by 0 still
    # lets -1 be inferred.
    rest_in = prod([d for i, d in enumerate(x) if not (i < len(spec) and spec[i] == 0)])
    rest_out = prod([d for d, s in zip(out, spec, strict=True) if s not in (0, -1)])
    if -1 in spec:
        j = list(spec).index(-1)
        if rest_in is None or rest_out is None:
            out[j] = None
        elif rest_out == 0 or rest_in % rest_out:
            raise ShapeError(f"{where}: {rest_in} elements do not split into {rest_out}-sized pieces")
        else:
            out[j] = rest_in // rest_out
    elif rest_in is not None and rest_out is not None and rest_in != rest_out:
        raise ShapeError(f"{where}: the element counts differ")
    return tuple(out)


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    return target_shape(tuple(shapes[0]), attrs["shape"]), out_dtype("Reshape", dtypes, attrs)


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    x = inputs[0]
    return x.reshape(target_shape(x.shape, attrs["shape"]))


def _vjp(g: Array, inputs: Sequence[Array], output: Array, attrs: dict[str, Any]) -> list[Array]:
    return [g.reshape(inputs[0].shape)]


register("Reshape", forward=_forward, shape=_shape, vjp=_vjp)
