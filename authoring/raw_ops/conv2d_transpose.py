"""Conv2DTranspose: y = act(conv_transpose(x, w) + bias), as Keras's Conv2DTranspose.

The transposed convolution is the gradient of a Conv2D with respect to its input: for the Conv2D
``z = conv(y, w)`` from y's shape ``[N, OH, OW, O]`` to x's ``[N, H, W, C]`` (``w`` is its HWIO filter
``[KH, KW, O, C]``, which is Keras's transpose kernel layout as it stands), ``conv_transpose(x, w)`` is
that Conv2D's input gradient for the cotangent ``x``. So the forward pass and both gradients reuse
Conv2D's own rules: the input gradient is a Conv2D of the output gradient, the filter gradient is
Conv2D's filter gradient with the roles of image and cotangent swapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad.raw_ops._activation import activate, activation_grad
from webgrad.raw_ops._common import Dim, batched_only, column_sums, need_rank, need_vector
from webgrad.raw_ops.registry import REGISTRY, Array, Shape, ShapeError, register

_LINEAR = {"activation": "none", "alpha": 0.2, "groups": 1}  # the plain Conv2D this op transposes


def _out_dim(op: str, axis: str, n: Dim, k: int, s: int, d: int, padding: Any, lo: int, hi: int) -> Dim:
    if n is None:
        return None
    if n < 1:
        raise ShapeError(f"{op}: x's {axis} must be >= 1, got {n}")
    span = (k - 1) * d + 1
    if padding == "VALID":
        return (n - 1) * s + max(span, s)
    if padding == "SAME":
        return n * s
    out = (n - 1) * s + span - lo - hi
    if out < 1:
        raise ShapeError(f"{op}: padding {list(padding)} crops the whole {axis} ({(n - 1) * s + span} before cropping)")
    return out


def conv_view(shapes: Sequence[Shape | None], attrs: dict[str, Any]) -> tuple[Shape, dict[str, Any]]:
    """The output shape ``[N, OH, OW, O]`` (the transposed Conv2D's input) and that Conv2D's attributes."""
    xs, ws, bs = shapes
    assert xs is not None and ws is not None
    op = "Conv2DTranspose"
    need_rank(op, "x (NHWC)", xs, 4)
    need_rank(op, "w ([KH, KW, O, C])", ws, 4)
    n, h, w, c = xs
    kh, kw, o, wc = ws
    if c is not None and wc is not None and c != wc:
        raise ShapeError(f"{op}: x is {tuple(xs)} with {c} channels but w is {tuple(ws)}: w[3] must be {c}")
    need_vector(op, "bias", bs, o, "w[2], the output channels")
    if kh is None or kw is None:
        raise ShapeError(f"{op}: the kernel size of w {tuple(ws)} must be known")
    strides, dilations, padding = attrs["strides"], attrs["dilations"], attrs["padding"]
    if len(strides) != 2 or len(dilations) != 2 or min(*strides, *dilations) < 1:
        raise ShapeError(f"{op}: strides {strides} and dilations {dilations} must be two positive ints each")
    pads = (0, 0, 0, 0) if isinstance(padding, str) else tuple(padding)
    if len(pads) != 4 or min(pads) < 0:
        raise ShapeError(f"{op}: padding must be 'SAME', 'VALID' or [top, bottom, left, right], got {padding!r}")
    oh = _out_dim(op, "height", h, kh, strides[0], dilations[0], padding, pads[0], pads[1])
    ow = _out_dim(op, "width", w, kw, strides[1], dilations[1], padding, pads[2], pads[3])
    conv = {"strides": strides, "padding": padding, "dilations": dilations, **_LINEAR}
    return (n, oh, ow, o), conv


def _shape(shapes: Sequence[Shape | None], dtypes: Sequence[str | None], attrs: dict[str, Any]) -> tuple[Shape, str]:
    return conv_view(shapes, attrs)[0], "float32"


def _linear(x: Array, w: Array, b: Array | None, attrs: dict[str, Any]) -> Array:
    """conv_transpose(x, w) + b: Conv2D's input gradient for the cotangent x."""
    y_shape, conv = conv_view([x.shape, w.shape, None if b is None else b.shape], attrs)
    like_y = np.broadcast_to(np.zeros((), np.float32), y_shape)
    y = REGISTRY["Conv2D"].vjp(x, [like_y, w, None], x, conv, needs=[True, False, False])[0]
    y = np.array(y)  # a fresh array the bias and activation may overwrite (in x's float dtype)
    if b is not None:
        y += b
    return y


def _forward(inputs: Sequence[Array | None], attrs: dict[str, Any]) -> Array:
    x, w, b = inputs
    assert x is not None and w is not None
    return activate(_linear(x, w, b, attrs), attrs["activation"], attrs["alpha"], inplace=True)


def _vjp_per_example(
    g: Array, inputs: Sequence[Array | None], output: Array, attrs: dict[str, Any], per_example: Sequence[bool],
    needs: Sequence[bool] = (True, True, True),
) -> list[Array | None]:
    """dx = Conv2D(gz, w); dw = Conv2D's filter gradient with image gz and cotangent x (one per example
    when flagged); dbias = gz summed to [O]."""
    x, w, b = inputs
    assert x is not None and w is not None
    if per_example[0]:
        raise batched_only("Conv2DTranspose", "x")
    _, conv = conv_view([x.shape, w.shape, None if b is None else b.shape], attrs)
    gz = activation_grad(g, output, attrs["activation"], attrs["alpha"], pre=lambda: _linear(x, w, b, attrs))
    conv2d = REGISTRY["Conv2D"]
    dx = conv2d.forward([gz, w, None], conv) if needs[0] else None
    dw = None
    if needs[1]:
        dw = conv2d.vjp_per_example(x, [gz, w, None], x, conv, [False, per_example[1], False],
                                    needs=[False, True, False])[1]
    db = None if b is None or not needs[2] else column_sums(gz, per_example[2])
    return [dx, dw, db]


register("Conv2DTranspose", forward=_forward, shape=_shape, vjp_per_example=_vjp_per_example)
