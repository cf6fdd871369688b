"""LayerNormGrad: one gradient (x, gamma or beta) of LayerNorm's VJP."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from webgrad.raw_ops.grad.registry import forward_shape, need_shape, register_grad, shape_only
from webgrad.raw_ops.registry import REGISTRY, Array, Shape

_WRT = ("x", "gamma", "beta")


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    g, x, gamma = (tuple(s) for s in shapes)
    fwd = {"axis": attrs["axis"], "epsilon": attrs["epsilon"]}
    need_shape("LayerNormGrad", "g (x's shape)", g, forward_shape("LayerNorm", "LayerNormGrad", [x, gamma, gamma], fwd))
    return (x if attrs["wrt"] == "x" else gamma), "float32"


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    g, x, gamma = inputs
    fwd = {"axis": attrs["axis"], "epsilon": attrs["epsilon"]}
    return REGISTRY["LayerNorm"].vjp(g, [x, gamma, shape_only(gamma)], g, fwd)[_WRT.index(attrs["wrt"])]


register_grad("LayerNormGrad", forward=_forward, shape=_shape)
