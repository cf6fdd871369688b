"""Mixed precision: the dtype MatMul and Conv2D compute in (None: float32). Set only while a jitted
step is traced; results and everything else stay float32, so master weights never leave float32."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_state: dict[str, Any] = {"compute_dtype": None}


def compute_dtype() -> Any:
    """The dtype matrix products run in now (None: the inputs' own, float32)."""
    return _state["compute_dtype"]


@contextmanager
def computing_in(dtype: Any) -> Iterator[None]:
    """Runs the ops inside with MatMul/Conv2D operands cast to ``dtype`` (accumulating in float32)."""
    prev, _state["compute_dtype"] = _state["compute_dtype"], dtype
    try:
        yield
    finally:
        _state["compute_dtype"] = prev


def operands(*xs: Any) -> tuple[Any, ...]:
    """The operands cast to the compute dtype (unchanged without mixed precision)."""
    dt = _state["compute_dtype"]
    return xs if dt is None else tuple(x.astype(dt) for x in xs)
