"""Keras's neural-network ops (``keras.ops.nn``): activations, ``one_hot``, convolutions, pooling,
normalization and cross-entropies, each from op-set ops (fused ones where the op set has them).

Images are channels-last (``NHWC``); 1-D inputs (``N, W, C``) run as one-row images.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from webgrad import raw_ops
from webgrad.ops.core import as_float, cast, convert_to_tensor
from webgrad.ops.elementwise import abs, clip, exp, log, minimum, rsqrt, sqrt
from webgrad.ops.reductions import sum
from webgrad.ops.shapes import expand_dims, moveaxis, reshape, split, squeeze

EPSILON = 1e-7  # Keras's backend.epsilon(), which its cross-entropies clip by


def _f(x: Any) -> Any:
    return as_float(convert_to_tensor(x))


def relu(x: Any) -> Any:
    """``max(x, 0)``, as ``keras.ops.relu``.

    >>> relu(np.array([-1.0, 2.0])).numpy()
    array([0., 2.], dtype=float32)
    """
    return raw_ops.Relu(_f(x))


def relu6(x: Any) -> Any:
    """``min(max(x, 0), 6)``, as ``keras.ops.relu6``.

    >>> relu6(np.array([-1.0, 9.0])).numpy()
    array([0., 6.], dtype=float32)
    """
    return raw_ops.Relu6(_f(x))


def sigmoid(x: Any) -> Any:
    """``1 / (1 + exp(-x))``, as ``keras.ops.sigmoid``.

    >>> sigmoid(np.array([0.0])).numpy()
    array([0.5], dtype=float32)
    """
    return raw_ops.Sigmoid(_f(x))


def tanh(x: Any) -> Any:
    """The hyperbolic tangent, as ``keras.ops.tanh``.

    >>> tanh(np.array([0.0])).numpy()
    array([0.], dtype=float32)
    """
    return raw_ops.Tanh(_f(x))


def softmax(x: Any, axis: int = -1) -> Any:
    """``exp(x) / sum(exp(x))`` along ``axis``, as ``keras.ops.softmax``.

    >>> softmax(np.array([0.0, 0.0])).numpy()
    array([0.5, 0.5], dtype=float32)
    """
    if not isinstance(axis, int | np.integer):
        raise NotImplementedError("wg.ops.softmax over several axes is not supported yet")
    return raw_ops.Softmax(_f(x), axis=int(axis))


def log_softmax(x: Any, axis: int = -1) -> Any:
    """``log(softmax(x))`` along ``axis``, computed stably, as ``keras.ops.log_softmax``.

    >>> log_softmax(np.array([0.0, 0.0])).numpy()
    array([-0.6931472, -0.6931472], dtype=float32)
    """
    if not isinstance(axis, int | np.integer):
        raise NotImplementedError("wg.ops.log_softmax over several axes is not supported yet")
    return raw_ops.LogSoftmax(_f(x), axis=int(axis))


def gelu(x: Any, approximate: bool = True) -> Any:
    """The Gaussian error linear unit (the tanh approximation by default, as ``keras.ops.gelu``).

    >>> gelu(np.array([0.0])).numpy()
    array([0.], dtype=float32)
    """
    return raw_ops.Gelu(_f(x), approximate=bool(approximate))


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Any:
    """``x`` for ``x >= 0``, else ``negative_slope * x``, as ``keras.ops.leaky_relu``.

    >>> leaky_relu(np.array([-1.0, 1.0])).numpy()
    array([-0.2,  1. ], dtype=float32)
    """
    return raw_ops.LeakyRelu(_f(x), alpha=float(negative_slope))


def softplus(x: Any) -> Any:
    """``log(1 + exp(x))``, as ``keras.ops.softplus`` (as ``relu(x) + log(1 + exp(-|x|))``, stable).

    >>> softplus(np.array([0.0])).numpy()
    array([0.6931472], dtype=float32)
    """
    x = _f(x)
    return raw_ops.Relu(x) + log(1.0 + exp(0.0 - abs(x)))


def softsign(x: Any) -> Any:
    """``x / (1 + |x|)``, as ``keras.ops.softsign``.

    >>> softsign(np.array([1.0])).numpy()
    array([0.5], dtype=float32)
    """
    x = _f(x)
    return x / (1.0 + abs(x))


def silu(x: Any) -> Any:
    """``x * sigmoid(x)``, as ``keras.ops.silu``.

    >>> silu(np.array([0.0])).numpy()
    array([0.], dtype=float32)
    """
    x = _f(x)
    return x * raw_ops.Sigmoid(x)


def swish(x: Any) -> Any:
    """``x * sigmoid(x)``, as ``keras.ops.swish``.

    >>> swish(np.array([0.0])).numpy()
    array([0.], dtype=float32)
    """
    return silu(x)


def hard_sigmoid(x: Any) -> Any:
    """``relu6(x + 3) / 6``, as ``keras.ops.hard_sigmoid``.

    >>> hard_sigmoid(np.array([0.0])).numpy()
    array([0.5], dtype=float32)
    """
    return raw_ops.Relu6(_f(x) + 3.0) * np.float32(1 / 6)


def hard_silu(x: Any) -> Any:
    """``x * hard_sigmoid(x)``, as ``keras.ops.hard_silu``.

    >>> hard_silu(np.array([3.0])).numpy()
    array([3.], dtype=float32)
    """
    x = _f(x)
    return x * hard_sigmoid(x)


def hard_swish(x: Any) -> Any:
    """``x * hard_sigmoid(x)``, as ``keras.ops.hard_swish``.

    >>> hard_swish(np.array([3.0])).numpy()
    array([3.], dtype=float32)
    """
    return hard_silu(x)


def elu(x: Any, alpha: float = 1.0) -> Any:
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``, as ``keras.ops.elu``.

    >>> elu(np.array([-np.inf, 1.0])).numpy()
    array([-1.,  1.], dtype=float32)
    """
    x = _f(x)
    return raw_ops.Relu(x) + (exp(minimum(x, 0.0)) - 1.0) * np.float32(alpha)


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def selu(x: Any) -> Any:
    """``scale * elu(x, alpha)`` with the self-normalizing constants, as ``keras.ops.selu``.

    >>> selu(np.array([0.0])).numpy()
    array([0.], dtype=float32)
    """
    return elu(x, _SELU_ALPHA) * np.float32(_SELU_SCALE)


def celu(x: Any, alpha: float = 1.0) -> Any:
    """``max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)``, as ``keras.ops.celu``.

    >>> celu(np.array([1.0])).numpy()
    array([1.], dtype=float32)
    """
    x = _f(x)
    return raw_ops.Relu(x) + (exp(minimum(x, 0.0) * np.float32(1 / alpha)) - 1.0) * np.float32(alpha)


def log_sigmoid(x: Any) -> Any:
    """``log(sigmoid(x)) = -softplus(-x)``, as ``keras.ops.log_sigmoid``.

    >>> log_sigmoid(np.array([0.0])).numpy()
    array([-0.6931472], dtype=float32)
    """
    return 0.0 - softplus(0.0 - _f(x))


def hard_tanh(x: Any) -> Any:
    """``clip(x, -1, 1)``, as ``keras.ops.hard_tanh``.

    >>> hard_tanh(np.array([-3.0, 0.5])).numpy()
    array([-1. ,  0.5], dtype=float32)
    """
    return clip(_f(x), -1.0, 1.0)


def squareplus(x: Any, b: float = 4) -> Any:
    """``(x + sqrt(x**2 + b)) / 2``, as ``keras.ops.squareplus``.

    >>> squareplus(np.array([0.0])).numpy()
    array([1.], dtype=float32)
    """
    x = _f(x)
    return (x + sqrt(x * x + np.float32(b))) * np.float32(0.5)


def tanh_shrink(x: Any) -> Any:
    """``x - tanh(x)``, as ``keras.ops.tanh_shrink``.

    >>> tanh_shrink(np.array([0.0])).numpy()
    array([0.], dtype=float32)
    """
    x = _f(x)
    return x - raw_ops.Tanh(x)


def soft_shrink(x: Any, threshold: float = 0.5) -> Any:
    """``x - t`` above ``t``, ``x + t`` below ``-t``, else 0 (``relu(x - t) - relu(-x - t)``), as
    ``keras.ops.soft_shrink``.

    >>> soft_shrink(np.array([-2.0, 0.2, 2.0])).numpy()
    array([-1.5,  0. ,  1.5], dtype=float32)
    """
    x = _f(x)
    t = np.float32(threshold)
    return raw_ops.Relu(x - t) - raw_ops.Relu((0.0 - x) - t)


def sparse_plus(x: Any) -> Any:
    """0 below -1, ``(x + 1)**2 / 4`` between, ``x`` above 1, as ``keras.ops.sparse_plus``.

    >>> sparse_plus(np.array([-2.0, 0.0, 2.0])).numpy()
    array([0.  , 0.25, 2.  ], dtype=float32)
    """
    x = _f(x)
    c = clip(x, -1.0, 1.0) + 1.0
    return c * c * np.float32(0.25) + raw_ops.Relu(x - 1.0)


def sparse_sigmoid(x: Any) -> Any:
    """0 below -1, ``(x + 1) / 2`` between, 1 above 1, as ``keras.ops.sparse_sigmoid``.

    >>> sparse_sigmoid(np.array([-2.0, 0.0, 2.0])).numpy()
    array([0. , 0.5, 1. ], dtype=float32)
    """
    return clip((_f(x) + 1.0) * np.float32(0.5), 0.0, 1.0)


def glu(x: Any, axis: int = -1) -> Any:
    """``a * sigmoid(b)`` for ``a, b`` the two halves of ``x`` along ``axis``, as ``keras.ops.glu``.

    >>> glu(np.array([1.0, 0.0])).numpy()
    array([0.5], dtype=float32)
    """
    a, b = split(_f(x), 2, axis=axis)
    return a * raw_ops.Sigmoid(b)


def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None, sparse: bool = False) -> Any:
    """Class indices as one-hot rows (a Gather from an identity matrix), as ``keras.ops.one_hot``.
    Indices must be in ``[0, num_classes)``; ``-1`` gives a row of zeros.

    >>> one_hot(np.array([2, 0]), 3).numpy()
    array([[0., 0., 1.],
           [1., 0., 0.]], dtype=float32)
    """
    if sparse:
        raise NotImplementedError("wg.ops.one_hot(sparse=True) is not supported yet")
    x = convert_to_tensor(x)
    idx = x if x.dtype == "int32" else cast(x, "int32")
    table = np.concatenate([np.eye(num_classes), np.zeros((1, num_classes))]).astype(np.float32)  # row -1: zeros
    out = raw_ops.Gather(table, idx, axis=0)
    if axis != -1:
        out = moveaxis(out, -1, axis)
    return out if dtype is None else cast(out, dtype)


def multi_hot(inputs: Any, num_classes: int | None = None, axis: int = -1, dtype: Any = None,
              sparse: bool = False, **kwargs: Any) -> Any:
    """Per row, 1 for each class index present (the one-hot rows of the last axis, maxed), as
    ``keras.ops.multi_hot``.

    >>> multi_hot(np.array([[0, 2]]), 3).numpy()
    array([[1., 0., 1.]], dtype=float32)
    """
    num_classes = kwargs.pop("num_tokens", num_classes)
    if kwargs or num_classes is None:
        raise TypeError("wg.ops.multi_hot needs num_classes and takes no other keyword arguments")
    hot = one_hot(inputs, num_classes, sparse=sparse)
    rank = len(hot.shape)
    out = raw_ops.ReduceMax(hot, axes=[rank - 2]) if rank > 1 else hot
    if axis != -1:
        out = moveaxis(out, -1, axis)
    return out if dtype is None else cast(out, dtype)


# ---- convolutions and pooling -----------------------------------------------------------------------


def _pair(v: int | Sequence[int], rank: int, what: str) -> list[int]:
    vs = [int(v)] * rank if isinstance(v, int | np.integer) else [int(a) for a in v]
    if len(vs) != rank:
        raise ValueError(f"wg.ops: {what} must be an int or {rank} ints, got {v!r}")
    return vs if rank == 2 else [1, *vs]


def _padding(padding: str) -> str:
    p = str(padding).lower()
    if p not in ("valid", "same"):
        raise ValueError(f"wg.ops: padding must be 'valid' or 'same', got {padding!r}")
    return p.upper()


def _spatial(inputs: Any, data_format: str | None, fn: str) -> tuple[Any, int]:
    """The input as NHWC and its number of spatial dims (1 or 2)."""
    if data_format not in (None, "channels_last"):
        raise NotImplementedError(f"wg.ops.{fn}: data_format={data_format!r} is not supported yet (channels_last)")
    x = _f(inputs)
    rank = len(x.shape) - 2
    if rank not in (1, 2):
        raise NotImplementedError(f"wg.ops.{fn} on a rank-{rank + 2} input is not supported yet (1-D and 2-D)")
    return (expand_dims(x, 1) if rank == 1 else x), rank


def _unspatial(y: Any, rank: int) -> Any:
    return squeeze(y, 1) if rank == 1 else y


def _kernel(kernel: Any, rank: int) -> Any:
    k = _f(kernel)
    return expand_dims(k, 0) if rank == 1 else k


def conv(inputs: Any, kernel: Any, strides: int | Sequence[int] = 1, padding: str = "valid",
         data_format: str | None = None, dilation_rate: int | Sequence[int] = 1) -> Any:
    """A 1-D or 2-D convolution (kernel ``[..., in, out]``, grouped when ``in`` divides the input's
    channels), as ``keras.ops.conv``.

    >>> conv(np.ones((1, 3, 3, 1)), np.ones((2, 2, 1, 1))).numpy()[0, :, :, 0]
    array([[4., 4.],
           [4., 4.]], dtype=float32)
    """
    x, rank = _spatial(inputs, data_format, "conv")
    w = _kernel(kernel, rank)
    groups = (x.shape[-1] // w.shape[-2]) if x.shape[-1] is not None else 1
    y = raw_ops.Conv2D(x, w, strides=_pair(strides, rank, "strides"), padding=_padding(padding),
                       dilations=_pair(dilation_rate, rank, "dilation_rate"), groups=groups)
    return _unspatial(y, rank)


def depthwise_conv(inputs: Any, kernel: Any, strides: int | Sequence[int] = 1, padding: str = "valid",
                   data_format: str | None = None, dilation_rate: int | Sequence[int] = 1) -> Any:
    """A depthwise convolution (kernel ``[..., channels, multiplier]``), as ``keras.ops.depthwise_conv``.

    >>> depthwise_conv(np.ones((1, 2, 2, 2)), np.ones((2, 2, 2, 1))).numpy().ravel()
    array([4., 4.], dtype=float32)
    """
    x, rank = _spatial(inputs, data_format, "depthwise_conv")
    w = _kernel(kernel, rank)
    kh, kw, c, m = w.shape
    w = reshape(w, [kh, kw, 1, c * m])  # output channel c * m + j, as Keras orders them
    y = raw_ops.Conv2D(x, w, strides=_pair(strides, rank, "strides"), padding=_padding(padding),
                       dilations=_pair(dilation_rate, rank, "dilation_rate"), groups=c)
    return _unspatial(y, rank)


def separable_conv(inputs: Any, depthwise_kernel: Any, pointwise_kernel: Any, strides: int | Sequence[int] = 1,
                   padding: str = "valid", data_format: str | None = None,
                   dilation_rate: int | Sequence[int] = 1) -> Any:
    """A depthwise then a 1x1 convolution, as ``keras.ops.separable_conv``.

    >>> separable_conv(np.ones((1, 2, 2, 1)), np.ones((2, 2, 1, 1)), np.ones((1, 1, 1, 3))).shape
    (1, 1, 1, 3)
    """
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", data_format)


def _pool(op: str, inputs: Any, pool_size: int | Sequence[int], strides: Any, padding: str,
          data_format: str | None, fn: str) -> Any:
    x, rank = _spatial(inputs, data_format, fn)
    size = _pair(pool_size, rank, "pool_size")
    y = raw_ops.apply(op, x, pool_size=size, strides=size if strides is None else _pair(strides, rank, "strides"),
                      padding=_padding(padding))
    return _unspatial(y, rank)


def max_pool(inputs: Any, pool_size: int | Sequence[int], strides: Any = None, padding: str = "valid",
             data_format: str | None = None) -> Any:
    """The maximum over each window (1-D or 2-D), as ``keras.ops.max_pool``.

    >>> max_pool(np.arange(4.0).reshape(1, 2, 2, 1), 2).numpy().ravel()
    array([3.], dtype=float32)
    """
    return _pool("MaxPool2D", inputs, pool_size, strides, padding, data_format, "max_pool")


def average_pool(inputs: Any, pool_size: int | Sequence[int], strides: Any = None, padding: str = "valid",
                 data_format: str | None = None) -> Any:
    """The mean over each window (padding not counted), as ``keras.ops.average_pool``.

    >>> average_pool(np.arange(4.0).reshape(1, 2, 2, 1), 2).numpy().ravel()
    array([1.5], dtype=float32)
    """
    return _pool("AvgPool2D", inputs, pool_size, strides, padding, data_format, "average_pool")


# ---- normalization and losses -------------------------------------------------------------------------


def _along(v: Any, axis: int, rank: int) -> Any:
    """A 1-D parameter shaped to broadcast along ``axis`` of a rank-``rank`` tensor."""
    v = _f(v)
    axis = axis % rank
    return v if axis == rank - 1 or len(v.shape) != 1 else reshape(v, [-1] + [1] * (rank - 1 - axis))


def batch_normalization(x: Any, mean: Any, variance: Any, axis: int, offset: Any = None, scale: Any = None,
                        epsilon: float = 1e-3) -> Any:
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset`` with the statistics along ``axis``, as
    ``keras.ops.batch_normalization``.

    >>> batch_normalization(np.array([[1.0, 2.0]]), np.array([1.0, 0.0]), np.array([1.0, 4.0]), axis=-1,
    ...                     epsilon=0.0).numpy()
    array([[0., 1.]], dtype=float32)
    """
    x = _f(x)
    rank = len(x.shape)
    inv = rsqrt(_along(variance, axis, rank) + np.float32(epsilon))
    if scale is not None:
        inv = inv * _along(scale, axis, rank)
    out = (x - _along(mean, axis, rank)) * inv
    return out if offset is None else out + _along(offset, axis, rank)


def normalize(x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None) -> Any:
    """``x`` divided by its L2 norm along ``axis``, as ``keras.ops.normalize`` (order 2 only).

    >>> normalize(np.array([3.0, 4.0])).numpy()
    array([0.6, 0.8], dtype=float32)
    """
    if order != 2:
        raise NotImplementedError(f"wg.ops.normalize(order={order}) is not supported yet (order=2)")
    x = _f(x)
    eps = EPSILON if epsilon is None else epsilon
    inv = minimum(rsqrt(sum(x * x, axis=axis, keepdims=True)), np.float32(1 / eps))
    return x * inv


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False, axis: int = -1) -> Any:
    """``-sum(target * log(p))`` along ``axis`` (``p`` normalized and clipped to ``[eps, 1 - eps]``, or
    ``log_softmax`` of logits), as ``keras.ops.categorical_crossentropy``.

    >>> categorical_crossentropy(np.array([[0.0, 1.0]]), np.array([[0.5, 0.5]])).numpy()
    array([0.6931472], dtype=float32)
    """
    target, output = _f(target), _f(output)
    if from_logits:
        log_p = raw_ops.LogSoftmax(output, axis=axis)
    else:
        p = output / sum(output, axis=axis, keepdims=True)
        log_p = log(clip(p, EPSILON, 1.0 - EPSILON))
    return 0.0 - sum(target * log_p, axis=axis)


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False, axis: int = -1) -> Any:
    """``categorical_crossentropy`` with class indices as the target, as
    ``keras.ops.sparse_categorical_crossentropy``.

    >>> sparse_categorical_crossentropy(np.array([1]), np.array([[0.5, 0.5]])).numpy()
    array([0.6931472], dtype=float32)
    """
    target, output = convert_to_tensor(target), _f(output)
    if len(target.shape) == len(output.shape) and target.shape[-1] == 1:
        target = squeeze(target, -1)
    n = output.shape[axis]
    if n is None:
        raise ValueError(f"wg.ops.sparse_categorical_crossentropy: the class axis of {tuple(output.shape)} is unknown")
    return categorical_crossentropy(one_hot(target, n, axis=axis), output, from_logits, axis)


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Any:
    """Element-wise ``-(t log p + (1 - t) log(1 - p))`` (``p`` clipped to ``[eps, 1 - eps]``), as
    ``keras.ops.binary_crossentropy``.

    >>> binary_crossentropy(np.array([1.0]), np.array([0.5])).numpy()
    array([0.6931472], dtype=float32)
    """
    target, output = _f(target), _f(output)
    if from_logits:
        return 0.0 - (target * log_sigmoid(output) + (1.0 - target) * log_sigmoid(0.0 - output))
    p = clip(output, EPSILON, 1.0 - EPSILON)
    return 0.0 - (target * log(p) + (1.0 - target) * log(1.0 - p))



def _axes_param(v: Any, axes: list[int], rank: int) -> Any:
    """A parameter over ``axes`` shaped to broadcast against a rank-``rank`` tensor (as Keras does)."""
    v = _f(v)
    if axes == [rank - 1] or len(v.shape) == rank:
        return v
    dims = iter(v.shape)
    return reshape(v, [next(dims) if i in axes else 1 for i in range(rank)])


def layer_normalization(x: Any, gamma: Any = None, beta: Any = None, axis: int | Sequence[int] = -1,
                        epsilon: float | None = None, **kwargs: Any) -> Any:
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` over ``axis``, as ``keras.ops.layer_normalization``
    (``rms_scaling=True``: ``x / sqrt(var + epsilon) * gamma``).

    >>> layer_normalization(np.array([[1.0, 3.0]]), epsilon=0.0).numpy()
    array([[-1.,  1.]], dtype=float32)
    """
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(f"wg.ops.layer_normalization got unexpected arguments {sorted(kwargs)}")
    x = _f(x)
    rank = len(x.shape)
    axes = sorted(a % rank for a in ([axis] if isinstance(axis, int | np.integer) else axis))
    eps = np.float32(EPSILON if epsilon is None else epsilon)
    mean = raw_ops.ReduceMean(x, axes=axes, keepdims=True)
    centered = x - mean
    inv = rsqrt(raw_ops.ReduceMean(centered * centered, axes=axes, keepdims=True) + eps)
    if gamma is not None:
        inv = inv * _axes_param(gamma, axes, rank)
    if rms_scaling:
        return x * inv
    out = centered * inv
    return out if beta is None else out + _axes_param(beta, axes, rank)


def rms_normalization(x: Any, scale: Any = None, axis: int | Sequence[int] = -1, epsilon: float | None = None) -> Any:
    """``x / sqrt(mean(x**2) + epsilon) * scale`` over ``axis``, as ``keras.ops.rms_normalization``.

    >>> rms_normalization(np.array([[2.0, -2.0]]), epsilon=0.0).numpy()
    array([[ 1., -1.]], dtype=float32)
    """
    x = _f(x)
    rank = len(x.shape)
    axes = sorted(a % rank for a in ([axis] if isinstance(axis, int | np.integer) else axis))
    eps = np.float32(EPSILON if epsilon is None else epsilon)
    out = x * rsqrt(raw_ops.ReduceMean(x * x, axes=axes, keepdims=True) + eps)
    return out if scale is None else out * _axes_param(scale, axes, rank)


def dot_product_attention(query: Any, key: Any, value: Any, bias: Any = None, mask: Any = None,
                          scale: float | None = None, is_causal: bool = False, flash_attention: bool | None = None,
                          attn_logits_soft_cap: float | None = None) -> Any:
    """``softmax(q k^T * scale + bias, masked) v`` for ``(B, T, N, H)`` query and ``(B, S, N, H)`` key and
    value, as ``keras.ops.dot_product_attention`` (``scale`` defaults to ``1 / sqrt(H)``; ``mask`` is
    true where attention is allowed and, like ``is_causal``, needs known sequence lengths).

    >>> q = np.ones((1, 2, 1, 4), np.float32)
    >>> dot_product_attention(q, q, q).shape
    (1, 2, 1, 4)
    """
    if flash_attention or attn_logits_soft_cap is not None:
        raise NotImplementedError("wg.ops.dot_product_attention: flash_attention and attn_logits_soft_cap are "
                                  "not supported yet")
    q, k, v = _f(query), _f(key), _f(value)
    if len(q.shape) != 4 or q.shape[2] != k.shape[2]:
        raise NotImplementedError("wg.ops.dot_product_attention: 4-D (B, T, N, H) inputs with as many key heads "
                                  "as query heads are supported (grouped-query attention is not supported yet)")
    h = q.shape[-1]
    heads = [0, 2, 1, 3]  # (B, T, N, H) <-> (B, N, T, H)
    logits = raw_ops.MatMul(raw_ops.Transpose(q, perm=heads), raw_ops.Transpose(k, perm=heads), transpose_b=True)
    logits = logits * np.float32(1 / math.sqrt(h) if scale is None else scale)
    if bias is not None:
        logits = logits + _f(bias)
    allowed = None if mask is None else as_float(convert_to_tensor(mask))
    if is_causal:
        t, s = q.shape[1], k.shape[1]
        causal = np.tril(np.ones((t, s), np.float32))
        allowed = causal if allowed is None else allowed * causal
    if allowed is not None:  # where(allowed, logits, very negative): finite, so masked rows stay defined
        logits = logits * allowed + (1.0 - allowed) * np.float32(-0.7 * np.finfo(np.float32).max)
    probs = raw_ops.Softmax(logits, axis=-1)
    return raw_ops.Transpose(raw_ops.MatMul(probs, raw_ops.Transpose(v, perm=heads)), perm=heads)


def psnr(x1: Any, x2: Any, max_val: float) -> Any:
    """The peak signal-to-noise ratio ``20 log10(max_val) - 10 log10(mean((x1 - x2)**2))``, as
    ``keras.ops.psnr``.

    >>> psnr(np.zeros(4), np.full(4, 0.1), 1.0).numpy()
    array(20., dtype=float32)
    """
    d = _f(x1) - _f(x2)
    mse = raw_ops.ReduceMean(d * d)
    return np.float32(20 * math.log10(max_val)) - log(mse) * np.float32(10 / math.log(10))
