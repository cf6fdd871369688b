"""ArgMax: int32 index of the largest value along 'axis'; the first on ties; the first NaN wins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._reduce import axis_shape, nonempty_axis
from webgrad.raw_ops.registry import Array, register


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    x = inputs[0]
    axis = nonempty_axis("ArgMax", x.shape, attrs["axis"])  # eager calls skip the shape rule
    return np.argmax(x, axis=axis, keepdims=attrs["keepdims"]).astype(np.int32)  # numpy: first NaN wins


register("ArgMax", forward=_forward, shape=axis_shape("ArgMax", "int32"))
