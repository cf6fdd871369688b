"""Conv2DBackpropInput: dL/dx of the plain convolution z = conv(x, w), from Conv2D's VJP."""

from __future__ import annotations

from webgrad.raw_ops.grad._conv import conv_backprop_entry
from webgrad.raw_ops.grad.registry import register_grad

register_grad("Conv2DBackpropInput", **conv_backprop_entry("Conv2DBackpropInput", 0))
