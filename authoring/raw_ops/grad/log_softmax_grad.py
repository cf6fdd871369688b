"""LogSoftmaxGrad: the VJP of LogSoftmax from its output, g - exp(y) * sum(g, axis)."""

from __future__ import annotations

from webgrad.raw_ops.grad._softmax import softmax_grad_entry
from webgrad.raw_ops.grad.registry import register_grad

register_grad("LogSoftmaxGrad", **softmax_grad_entry("LogSoftmaxGrad", "LogSoftmax"))
