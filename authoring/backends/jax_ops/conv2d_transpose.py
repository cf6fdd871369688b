"""Conv2DTranspose in JAX: one ``lax.conv_general_dilated`` over x dilated by the strides (the
gradient of the transposed Conv2D with respect to its input, written forward), with the filter flipped
and its channel axes swapped; then bias and the fused activation. The transposed Conv2D's padding comes
from the reference's window rule, so SAME and explicit padding crop exactly as the numpy op does."""

import jax.numpy as jnp
from jax import lax

from webgrad.backends.jax_ops._activation import activate
from webgrad.backends.jax_ops._policy import operands
from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops._window import window
from webgrad.raw_ops.conv2d_transpose import conv_view


def _lower(inputs, attrs):
    x, w, bias = inputs
    (_, oh, ow, _), conv = conv_view([x.shape, w.shape, None if bias is None else bias.shape], attrs)
    kh, kw = w.shape[0], w.shape[1]
    win = window("Conv2D", (oh, ow), (kh, kw), conv["strides"], conv["padding"], conv["dilations"])
    top, _, left, _ = win.pads
    pads = []
    for n, out, k, s, d, lo in ((x.shape[1], oh, kh, *win.strides[:1], win.dilations[0], top),
                                (x.shape[2], ow, kw, win.strides[1], win.dilations[1], left)):
        span = (k - 1) * d + 1
        before = span - 1 - lo
        pads.append((before, out + span - 2 - (n - 1) * s - before))
    xc, wc = operands(x, jnp.flip(w, (0, 1)).transpose(0, 1, 3, 2))
    y = lax.conv_general_dilated(
        xc, wc, window_strides=(1, 1), padding=pads, lhs_dilation=win.strides, rhs_dilation=win.dilations,
        dimension_numbers=("NHWC", "HWIO", "NHWC"), preferred_element_type=jnp.float32,
    )
    if bias is not None:
        y = y + bias
    return activate(y, attrs["activation"], attrs["alpha"])


register("Conv2DTranspose", _lower)
