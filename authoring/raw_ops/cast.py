"""Cast to dtype 'to': floats to ints truncate toward zero; NaN and out-of-range values give 0."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._elementwise import same_shape
from webgrad.raw_ops.registry import Array, register


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    x = inputs[0]
    to = np.dtype(attrs["to"])
    if to.kind == "f":
        with np.errstate(over="ignore"):  # float32 -> float16 overflow is +-Inf, as IEEE says
            return x.astype(to)
    info = np.iinfo(to)
    # Exact in float64/int64 for every source dtype; NaN fails both comparisons, so it gives 0.
    wide = np.trunc(x.astype(np.float64)) if x.dtype.kind == "f" else x.astype(np.int64)
    fits = (wide >= info.min) & (wide <= info.max)
    return np.where(fits, wide, 0).astype(to)


register("Cast", forward=_forward, shape=same_shape("Cast"))
