"""Less: y = 1.0 where numpy.less(a, b) else 0.0 (a float32 mask), numpy broadcasting."""

from __future__ import annotations

import numpy as np

from webgrad.raw_ops._compare import compare
from webgrad.raw_ops.registry import register

register("Less", **compare("Less", np.less))
