"""The registry entries of Conv2DBackpropInput / Conv2DBackpropFilter: one output of Conv2D's VJP
(no bias, no activation: the VJP rule applies ActivationGrad and SumTo around them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from webgrad.raw_ops.grad.registry import forward_shape, need_shape, shape_only
from webgrad.raw_ops.registry import REGISTRY, Array, Shape

_LINEAR = {"activation": "none", "alpha": 0.2}  # Conv2D's other attributes: the plain convolution


def conv_backprop_entry(grad_op: str, wrt: int) -> dict[str, Callable]:
    """``forward``/``shape`` of the gradient of Conv2D's input ``wrt`` (0: x, 1: w)."""
    # Input positions of (x, w, g) in the grad op: BackpropInput is (g, w, like_x), Filter is (x, g, like_w).
    xi, wi, gi = (2, 1, 0) if wrt == 0 else (0, 2, 1)

    def shape(shapes: Sequence[Shape], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
        x, w, g = tuple(shapes[xi]), tuple(shapes[wi]), tuple(shapes[gi])
        z = forward_shape("Conv2D", grad_op, [x, w, None], {**attrs, **_LINEAR})
        need_shape(grad_op, f"g (Conv2D's output for x {x} and w {w})", g, z)
        return (x if wrt == 0 else w), "float32"

    def forward(inputs: Sequence[Array], attrs: dict[str, Any]) -> Array:
        x, w, g = inputs[xi], inputs[wi], inputs[gi]
        x, w = (shape_only(x), w) if wrt == 0 else (x, shape_only(w))
        needs = [wrt == 0, wrt == 1, False]
        return REGISTRY["Conv2D"].vjp(g, [x, w, None], g, {**attrs, **_LINEAR}, needs=needs)[wrt]

    return {"forward": forward, "shape": shape}
