"""BatchNormGrad: one gradient (x, scale or bias) of BatchNorm's VJP (inference form)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from webgrad.raw_ops.grad.registry import forward_shape, need_shape, register_grad, shape_only
from webgrad.raw_ops.registry import REGISTRY, Array, Shape

_WRT = ("x", "scale", "bias")


def _shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    g, x, scale, mean, var = (tuple(s) for s in shapes)
    fwd = {"epsilon": attrs["epsilon"]}
    y = forward_shape("BatchNorm", "BatchNormGrad", [x, scale, scale, mean, var], fwd)
    need_shape("BatchNormGrad", "g (x's shape)", g, y)
    return (x if attrs["wrt"] == "x" else (x[-1],)), "float32"


def _forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
    g, x, scale, mean, var = inputs
    fwd = {"epsilon": attrs["epsilon"]}
    return REGISTRY["BatchNorm"].vjp(g, [x, scale, shape_only(scale), mean, var], g, fwd)[_WRT.index(attrs["wrt"])]


register_grad("BatchNormGrad", forward=_forward, shape=_shape)
