"""MaxMinGrad: the share of g one side of Maximum/Minimum gets, at the broadcast shape (before SumTo)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops.grad.registry import need_shape, register_grad
from webgrad.raw_ops.maximum import _grads as max_grads
from webgrad.raw_ops.minimum import _grads as min_grads
from webgrad.raw_ops.registry import Array, Shape, broadcast_shapes


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    g, a, b = (tuple(s) for s in shapes)
    need_shape("MaxMinGrad", f"g (broadcast of a {a} and b {b})", g, broadcast_shapes("MaxMinGrad", a, b))
    return g, "float32"


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    g, a, b = inputs
    grads = max_grads if attrs["op"] == "max" else min_grads
    share = grads(g, a, b, g)[0 if attrs["side"] == "a" else 1]  # y is not read by either rule
    return np.broadcast_to(share, g.shape).astype(np.float32)


register_grad("MaxMinGrad", forward=_forward, shape=_shape)
