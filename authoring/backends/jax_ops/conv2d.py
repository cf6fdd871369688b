"""Conv2D in JAX: one ``lax.conv_general_dilated`` (NHWC, HWIO, feature groups for grouped and
depthwise), then bias and the fused activation. Padding comes from the reference's window rule, so
SAME puts the odd pixel bottom/right exactly as the numpy op does."""

import jax.numpy as jnp
from jax import lax

from webgrad.backends.jax_ops._activation import activate
from webgrad.backends.jax_ops._policy import operands
from webgrad.backends.jax_ops._registry import register
from webgrad.raw_ops.conv2d import _geometry


def _lower(inputs, attrs):
    x, w, bias = inputs
    win, _ = _geometry([x.shape, w.shape, None if bias is None else bias.shape], attrs)
    t, b, left, r = win.pads
    xc, wc = operands(x, w)
    y = lax.conv_general_dilated(
        xc, wc, window_strides=win.strides, padding=[(t, b), (left, r)], rhs_dilation=win.dilations,
        dimension_numbers=("NHWC", "HWIO", "NHWC"), feature_group_count=attrs["groups"],
        preferred_element_type=jnp.float32,
    )
    if bias is not None:
        y = y + bias
    return activate(y, attrs["activation"], attrs["alpha"])


register("Conv2D", _lower)
