"""Keras's NumPy-style op namespace (``keras.ops``): ``wg.ops.matmul``, ``wg.ops.mean``, ``wg.ops.one_hot``…

Names and signatures are Keras 3's. Every function here lowers to op-set ops (``webgrad.raw_ops``), so
what a model computes with them runs eagerly (numpy arrays and ``Tensor`` in, ``Tensor`` out),
runs on the symbolic tensors a layer's ``call`` sees, differentiates, and exports like any layer.
The op-set ops themselves are ``wg.raw_ops``. A ``keras.ops`` name that the op set cannot express
(``wg.ops.fft``, ``wg.ops.sort``...) raises ``NotImplementedError`` saying it is not supported yet.

>>> import numpy as np
>>> from webgrad import ops
>>> x = np.array([[1.0, 2.0], [3.0, 4.0]])
>>> ops.mean(ops.square(x), axis=-1).numpy()
array([ 2.5, 12.5], dtype=float32)
>>> ops.one_hot(ops.argmax(x, axis=0), 3).numpy()
array([[0., 1., 0.],
       [0., 1., 0.]], dtype=float32)
"""

from __future__ import annotations

from typing import Any

from webgrad import keras_names
from webgrad.ops.comparison import (
    equal,
    greater,
    greater_equal,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    not_equal,
)
from webgrad.ops.control import (
    cond,
    fori_loop,
    map,
    scan,
    switch,
)
from webgrad.ops.core import (
    array,
    cast,
    convert_to_numpy,
    convert_to_tensor,
    copy,
    dtype,
    is_tensor,
    ndim,
    saturate_cast,
    shape,
    size,
    stop_gradient,
)
from webgrad.ops.creation import (
    arange,
    empty,
    empty_like,
    eye,
    full,
    full_like,
    identity,
    linspace,
    ones,
    ones_like,
    tri,
    tril,
    triu,
    zeros,
    zeros_like,
)
from webgrad.ops.elementwise import (
    abs,
    absolute,
    add,
    arccosh,
    arcsinh,
    arctanh,
    clip,
    cosh,
    deg2rad,
    divide,
    exp,
    exp2,
    expm1,
    hypot,
    log,
    log1p,
    log2,
    log10,
    logaddexp,
    logaddexp2,
    maximum,
    minimum,
    multiply,
    negative,
    power,
    rad2deg,
    reciprocal,
    rsqrt,
    sinh,
    sqrt,
    square,
    subtract,
    true_divide,
    trunc,
    where,
)
from webgrad.ops.layout import (
    depth_to_space,
    roll,
    rot90,
    space_to_depth,
)
from webgrad.ops.neural import (
    average_pool,
    batch_normalization,
    binary_crossentropy,
    categorical_crossentropy,
    celu,
    conv,
    depthwise_conv,
    dot_product_attention,
    elu,
    gelu,
    glu,
    hard_sigmoid,
    hard_silu,
    hard_swish,
    hard_tanh,
    layer_normalization,
    leaky_relu,
    log_sigmoid,
    log_softmax,
    max_pool,
    multi_hot,
    normalize,
    one_hot,
    psnr,
    relu,
    relu6,
    rms_normalization,
    selu,
    separable_conv,
    sigmoid,
    silu,
    soft_shrink,
    softmax,
    softplus,
    softsign,
    sparse_categorical_crossentropy,
    sparse_plus,
    sparse_sigmoid,
    squareplus,
    swish,
    tanh,
    tanh_shrink,
)
from webgrad.ops.products import (
    diag,
    diagflat,
    dot,
    inner,
    matmul,
    outer,
    tensordot,
    vdot,
)
from webgrad.ops.reductions import (
    amax,
    amin,
    argmax,
    argmin,
    average,
    cumsum,
    logsumexp,
    max,
    mean,
    min,
    moments,
    ptp,
    std,
    sum,
    trace,
    var,
)
from webgrad.ops.shapes import (
    append,
    array_split,
    broadcast_to,
    concatenate,
    diagonal,
    dsplit,
    dstack,
    expand_dims,
    flip,
    get_item,
    hsplit,
    hstack,
    moveaxis,
    pad,
    ravel,
    repeat,
    reshape,
    slice,
    split,
    squeeze,
    stack,
    swapaxes,
    take,
    tile,
    transpose,
    unstack,
    vsplit,
    vstack,
)

__all__ = [
    "abs", "absolute", "add", "amax", "amin", "append", "arange", "arccosh", "arcsinh", "arctanh", "argmax",
    "argmin", "array", "array_split", "average", "average_pool", "batch_normalization", "binary_crossentropy",
    "broadcast_to", "cast", "categorical_crossentropy", "celu", "clip", "concatenate", "cond", "conv",
    "convert_to_numpy", "convert_to_tensor", "copy", "cosh", "cumsum", "deg2rad", "depth_to_space",
    "depthwise_conv", "diag", "diagflat", "diagonal", "divide", "dot", "dot_product_attention", "dsplit", "dstack",
    "dtype", "elu", "empty", "empty_like", "equal", "exp", "exp2", "expand_dims", "expm1", "eye", "flip",
    "fori_loop", "full", "full_like", "gelu", "get_item", "glu", "greater", "greater_equal", "hard_sigmoid",
    "hard_silu", "hard_swish", "hard_tanh", "hsplit", "hstack", "hypot", "identity", "inner", "is_tensor",
    "layer_normalization", "leaky_relu", "less", "less_equal", "linspace", "log", "log10", "log1p", "log2",
    "log_sigmoid", "log_softmax", "logaddexp", "logaddexp2", "logical_and", "logical_not", "logical_or",
    "logical_xor", "logsumexp", "map", "matmul", "max", "max_pool", "maximum", "mean", "min", "minimum", "moments",
    "moveaxis", "multi_hot", "multiply", "ndim", "negative", "normalize", "not_equal", "one_hot", "ones",
    "ones_like", "outer", "pad", "power", "psnr", "ptp", "rad2deg", "ravel", "reciprocal", "relu", "relu6",
    "repeat", "reshape", "rms_normalization", "roll", "rot90", "rsqrt", "saturate_cast", "scan", "selu",
    "separable_conv", "shape", "sigmoid", "silu", "sinh", "size", "slice", "soft_shrink", "softmax", "softplus",
    "softsign", "space_to_depth", "sparse_categorical_crossentropy", "sparse_plus", "sparse_sigmoid", "split",
    "sqrt", "square", "squareplus", "squeeze", "stack", "std", "stop_gradient", "subtract", "sum", "swapaxes",
    "swish", "switch", "take", "tanh", "tanh_shrink", "tensordot", "tile", "trace", "transpose", "tri", "tril",
    "triu", "true_divide", "trunc", "unstack", "var", "vdot", "vsplit", "vstack", "where", "zeros", "zeros_like",
]


def __getattr__(name: str) -> Any:  # Keras names webgrad lacks: NotImplementedError
    raise keras_names.unsupported("ops", name)
