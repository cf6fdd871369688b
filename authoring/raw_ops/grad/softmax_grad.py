"""SoftmaxGrad: the VJP of Softmax from its output, y * (g - sum(g * y, axis))."""

from __future__ import annotations

from webgrad.raw_ops.grad._softmax import softmax_grad_entry
from webgrad.raw_ops.grad.registry import register_grad

register_grad("SoftmaxGrad", **softmax_grad_entry("SoftmaxGrad", "Softmax"))
