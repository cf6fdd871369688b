"""Reductions shared by ReduceSum, ReduceMean and ReduceMax (axes normalized by the reference's rule)."""

from __future__ import annotations

from typing import Any

from webgrad.raw_ops._common import norm_axes


def reduce(op: str, fn: Any, x: Any, attrs: dict[str, Any]) -> Any:
    """``fn(x, axis=..., keepdims=...)`` over the op's ``axes`` (null: all)."""
    return fn(x, axis=norm_axes(op, attrs["axes"], x.ndim), keepdims=attrs["keepdims"])
