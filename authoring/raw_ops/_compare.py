"""The comparison ops (Greater, Equal, ...): ``y = fn(a, b)`` as a float32 mask (1.0 true, 0.0 false).

The op set has no bool dtype, so a comparison gives the mask that Where, Mul and ReduceSum take
directly. NaN follows IEEE-754 through numpy's own comparisons (false, except NotEqual).
An op module reads ``register("Greater", **compare("Greater", np.greater))``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops.registry import Array, Shape, ShapeError, broadcast_shapes


def compare(op: str, fn: Callable[[Array, Array], Array]) -> dict[str, Callable]:
    """Registry entry of a broadcasting comparison ``fn`` (not differentiable: no VJP).

    >>> import numpy as np
    >>> entry = compare("Greater", np.greater)
    >>> entry["forward"]([np.array([1, 3], np.int32), np.array(2, np.int32)], {})
    array([0., 1.], dtype=float32)
    """

    def forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
        a, b = inputs
        broadcast_shapes(op, a.shape, b.shape)  # a ShapeError naming the op and shapes
        return fn(a, b).astype(np.float32)

    def shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
        if dtypes[0] is not None and dtypes[1] is not None and dtypes[0] != dtypes[1]:
            raise ShapeError(f"{op}: a and b must have the same dtype, got {dtypes[0]} and {dtypes[1]}")
        return broadcast_shapes(op, tuple(shapes[0]), tuple(shapes[1])), "float32"

    return {"forward": forward, "shape": shape}
