"""Each JAX primitive a Keras inference graph uses, as op-set ops (see ``interpret.py``).

Layouts: Keras on JAX computes images NHWC with HWIO kernels, as the op set does, so convolutions and
pools map one to one; 1-D ones run as 2-D ones over a height of 1.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from webgrad import raw_ops as ops
from webgrad.keras_import.interpret import (
    NAMED_CALLS,
    Interpreter,
    _Flipped,
    _Gelu,
    handles,
    is_const,
    reshape_target,
    unsupported,
)

_BIG = 2**31 - 1


def _out_shape(eqn: Any, i: int = 0) -> Any:
    return eqn.outvars[i].aval.shape


def _f32(x: Any) -> Any:
    return np.asarray(x, np.float32) if is_const(x) else x


def _scalar(x: Any) -> float | None:
    return float(x) if is_const(x) and x.size == 1 else None


# ---- elementwise ---------------------------------------------------------------------------------
@handles("add")
def _add(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return [ops.Add(_f32(v[0]), _f32(v[1]))]


@handles("sub")
def _sub(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return [ops.Sub(_f32(v[0]), _f32(v[1]))]


@handles("mul")
def _mul(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    a, b = v
    for gelu, other in ((a, b), (b, a)):
        if isinstance(gelu, _Gelu):
            half = it.produced_by(other, "mul")
            if half is not None and any(x is gelu.x for x in half) and any(_scalar(x) == 0.5 for x in half):
                return [ops.Gelu(gelu.x, approximate=False)]
            raise unsupported("erfc", eqn, "only inside the GELU formula")
    return [ops.Mul(_f32(a), _f32(b))]


@handles("div")
def _div(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return [ops.Div(_f32(v[0]), _f32(v[1]))]


@handles("max")
def _max(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    a, b = v
    for x, c in ((a, b), (b, a)):
        s = _scalar(c)
        if s == 0.0 and not is_const(x):
            return [ops.Relu(x)]
        if s == -math.inf:
            return [x]
    return [ops.Maximum(_f32(a), _f32(b))]


@handles("min")
def _min(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    a, b = v
    for x, c in ((a, b), (b, a)):
        s = _scalar(c)
        if s == math.inf:
            return [x]
        if s == 6.0 and (inner := it.produced_by(x, "max")) is not None and any(_scalar(i) == 0.0 for i in inner):
            source = next(i for i in inner if _scalar(i) != 0.0)
            return [ops.Relu6(source)]
    return [ops.Minimum(_f32(a), _f32(b))]


@handles("clamp")
def _clamp(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    lo, x, hi = v
    return [ops.Minimum(ops.Maximum(x, _f32(lo)), _f32(hi))]


@handles("neg")
def _neg(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return [ops.Mul(v[0], np.float32(-1.0))]


def _unary(op: str) -> Any:
    def handler(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
        return [ops.apply(op, v[0])]

    return handler


for _prim, _op in {"exp": "Exp", "log": "Log", "tanh": "Tanh", "logistic": "Sigmoid", "sqrt": "Sqrt", "abs": "Abs",
                   "sign": "Sign", "floor": "Floor"}.items():
    handles(_prim)(_unary(_op))


@handles("rsqrt")
def _rsqrt(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return [ops.Div(np.float32(1.0), ops.Sqrt(v[0]))]


@handles("log1p")
def _log1p(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return [ops.Log(ops.Add(v[0], np.float32(1.0)))]


@handles("expm1")
def _expm1(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return [ops.Sub(ops.Exp(v[0]), np.float32(1.0))]


def _power(x: Any, n: int) -> Any:
    if n == 0:
        return ops.Add(ops.Mul(x, np.float32(0.0)), np.float32(1.0))
    if n < 0:
        return ops.Div(np.float32(1.0), _power(x, -n))
    out = x
    for _ in range(n - 1):
        out = ops.Mul(out, x)
    return out


@handles("integer_pow")
def _integer_pow(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return [_power(v[0], int(eqn.params["y"]))]


@handles("square")
def _square(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return [ops.Mul(v[0], v[0])]


@handles("pow")
def _pow(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    e = _scalar(v[1])
    if e == 0.5:
        return [ops.Sqrt(v[0])]
    if e is not None and e == int(e) and abs(e) <= 8:
        return [_power(v[0], int(e))]
    raise unsupported("pow with a non-constant or fractional exponent", eqn)


@handles("erfc")
def _erfc(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    # jax.nn.gelu(approximate=False) computes 0.5 * x * erfc(-x / sqrt(2)); find x
    scaled = it.produced_by(v[0], "mul")
    if scaled is not None:
        c = next((_scalar(s) for s in scaled if _scalar(s) is not None), None)
        x = next((s for s in scaled if _scalar(s) is None), None)
        neg = it.produced_by(x, "neg") if x is not None else None
        if c is not None and abs(c - 1 / math.sqrt(2)) < 1e-6 and neg is not None:
            return [_Gelu(neg[0])]
    raise unsupported("erfc", eqn, "only inside the GELU formula")


@handles("stop_gradient", "copy", "copy_p", "optimization_barrier", "reduce_precision")
def _identity(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return list(v)


@handles("convert_element_type")
def _convert(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    to = np.dtype(eqn.params["new_dtype"])
    x = v[0]
    have = np.dtype(str(eqn.invars[0].aval.dtype))
    if have == to:
        return [x]
    if have == np.bool_:  # a float32 mask already
        return [x if to == np.float32 else ops.Cast(_mask(x), to=str(to))]
    if to == np.bool_:
        return [ops.NotEqual(x, np.zeros((), have))]
    if to.kind in "fi" and have.kind in "fi" and to.itemsize == 4 and have.itemsize == 4:
        return [ops.Cast(x, to=str(to))]
    raise unsupported(f"a conversion from {have} to {to}", eqn)


# ---- shape ----------------------------------------------------------------------------------------
@handles("reshape")
def _reshape(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    if eqn.params.get("dimensions") is not None:
        raise unsupported("reshape with a dimension order", eqn)
    return [ops.Reshape(v[0], shape=reshape_target(_out_shape(eqn)))]


@handles("squeeze", "expand_dims")
def _squeeze(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return [ops.Reshape(v[0], shape=reshape_target(_out_shape(eqn)))]


@handles("broadcast_in_dim")
def _broadcast_in_dim(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    x = v[0]
    out = _out_shape(eqn)
    dims = eqn.params["broadcast_dimensions"]
    in_shape = tuple(x.shape) if not is_const(x) else np.shape(x)
    mid = [1] * len(out)
    for src, dst in enumerate(dims):
        mid[dst] = in_shape[src]
    if is_const(x):
        return [np.reshape(x, mid)]
    if list(in_shape) == mid:
        return [x]
    return [ops.Reshape(x, shape=reshape_target(mid))]  # the consumer broadcasts, or run() materialises


@handles("transpose")
def _transpose(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    perm = tuple(int(p) for p in eqn.params["permutation"])
    if isinstance(v[0], _Flipped):
        if v[0].perm is not None:
            raise unsupported("a reversed array transposed twice", eqn)
        return [_Flipped(v[0].source, v[0].axes, perm)]
    return [ops.Transpose(v[0], perm=list(perm))]


@handles("rev")
def _rev(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    x, axes = v[0], frozenset(int(d) for d in eqn.params["dimensions"])
    if isinstance(x, _Flipped):
        if x.perm is not None:
            raise unsupported("rev of a transposed array", eqn)
        return [_Flipped(x.source, x.axes ^ axes)]
    return [_Flipped(x, axes)]


@handles("concatenate")
def _concatenate(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return [ops.Concat(*[_f32(x) for x in v], axis=int(eqn.params["dimension"]))]


@handles("slice")
def _slice(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    starts = [int(s) for s in eqn.params["start_indices"]]
    ends = [int(e) if isinstance(e, int) else _BIG for e in eqn.params["limit_indices"]]
    steps = [int(s) for s in (eqn.params.get("strides") or [1] * len(starts))]
    return [ops.Slice(v[0], starts=starts, ends=ends, axes=list(range(len(starts))), steps=steps)]


@handles("split")
def _split(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    axis, start, outs = int(eqn.params["axis"]), 0, []
    for size in eqn.params["sizes"]:
        outs.append(ops.Slice(v[0], starts=[start], ends=[start + int(size)], axes=[axis]))
        start += int(size)
    return outs


@handles("pad")
def _pad(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    config = eqn.params["padding_config"]
    if any(interior for _, _, interior in config) or any(lo < 0 or hi < 0 for lo, hi, _ in config):
        raise unsupported("pad with interior or negative padding", eqn)
    value = _scalar(v[1])
    if value is None:
        raise unsupported("pad with a computed padding value", eqn)
    return [ops.Pad(v[0], pads=[int(p) for lo, hi, _ in config for p in (lo, hi)], value=value)]


# ---- reductions ----------------------------------------------------------------------------------
@handles("reduce_sum")
def _reduce_sum(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return [ops.ReduceSum(v[0], axes=list(eqn.params["axes"]), keepdims=False)]


@handles("reduce_max")
def _reduce_max(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return [ops.ReduceMax(v[0], axes=list(eqn.params["axes"]), keepdims=False)]


@handles("reduce_min")
def _reduce_min(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    neg = ops.Mul(v[0], np.float32(-1.0))
    return [ops.Mul(ops.ReduceMax(neg, axes=list(eqn.params["axes"]), keepdims=False), np.float32(-1.0))]


@handles("argmax")
def _argmax(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    (axis,) = eqn.params["axes"]
    return [ops.ArgMax(v[0], axis=int(axis))]


# ---- matrix products ---------------------------------------------------------------------------------
@handles("dot_general")
def _dot_general(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    a, b = v
    (ca, cb), (ba, bb) = eqn.params["dimension_numbers"]
    ra, rb = len(a.shape), len(b.shape)
    if not ba and not bb and list(ca) == [ra - 1] and list(cb) == [0] and rb == 2:
        return [ops.MatMul(_f32(a), _f32(b))]  # Dense: [..., K] @ [K, N]
    # general contraction: [batch, free, contract] @ [batch, contract, free], then back
    fa = [d for d in range(ra) if d not in ca and d not in ba]
    fb = [d for d in range(rb) if d not in cb and d not in bb]
    at = ops.Transpose(_f32(a), perm=[*ba, *fa, *ca]) if [*ba, *fa, *ca] != list(range(ra)) else _f32(a)
    bt = ops.Transpose(_f32(b), perm=[*bb, *cb, *fb]) if [*bb, *cb, *fb] != list(range(rb)) else _f32(b)
    a_shape, b_shape = eqn.invars[0].aval.shape, eqn.invars[1].aval.shape
    batch = [a_shape[d] for d in ba]
    m, k, n = _size([a_shape[d] for d in fa]), _size([a_shape[d] for d in ca]), _size([b_shape[d] for d in fb])
    a3 = ops.Reshape(at, shape=reshape_target([*batch, m, k]))
    b3 = ops.Reshape(bt, shape=reshape_target([*batch, k, n]))
    return [ops.Reshape(ops.MatMul(a3, b3), shape=reshape_target(_out_shape(eqn)))]


def _size(dims: list[Any]) -> Any:
    """The product of jaxpr dimensions; symbolic (the batch in it) when one of them is."""
    if all(isinstance(d, int) for d in dims):
        return math.prod(dims)
    return "b"  # reshape_target turns a non-int into -1


# ---- convolution and pooling ---------------------------------------------------------------------
def _spatial_spec(eqn: Any, n: int) -> None:
    dn = eqn.params["dimension_numbers"]
    want_lhs = (0, n + 1, *range(1, n + 1))  # N, C, spatial… as positions in an NHWC/NWC array
    want_rhs = (n + 1, n, *range(n))  # O, I, spatial… in HWIO/WIO
    if tuple(dn.lhs_spec) != want_lhs or tuple(dn.rhs_spec) != want_rhs or tuple(dn.out_spec) != want_lhs:
        raise unsupported("a convolution layout other than channels-last", eqn)


@handles("conv_general_dilated")
def _conv(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    x, w = v
    p = eqn.params
    n = len(p["window_strides"])
    _spatial_spec(eqn, n)
    if any(d != 1 for d in p["lhs_dilation"]) or isinstance(w, _Flipped):
        return [_conv_transpose(eqn, x, w)]
    if p["batch_group_count"] != 1:
        raise unsupported("a convolution with batch groups", eqn)
    strides, dilations, pads = list(p["window_strides"]), list(p["rhs_dilation"]), list(p["padding"])
    if n == 1:  # Conv1D: NWC as N1WC, WIO as 1WIO
        x = ops.Reshape(x, shape=[0, 1, -1, int(x.shape[-1])])
        w = np.reshape(w, (1, *w.shape)) if is_const(w) else ops.Reshape(w, shape=[1, *[int(d) for d in w.shape]])
        strides, dilations, pads = [1, *strides], [1, *dilations], [(0, 0), *pads]
    elif n != 2:
        raise unsupported(f"a {n}-D convolution", eqn)
    padding = [int(pads[0][0]), int(pads[0][1]), int(pads[1][0]), int(pads[1][1])]
    if any(q < 0 for q in padding):
        raise unsupported("a convolution with negative padding", eqn)
    y = ops.Conv2D(x, _f32(w), strides=strides, padding=padding, dilations=dilations,
                   groups=int(p["feature_group_count"]))
    if n == 1:
        y = ops.Reshape(y, shape=reshape_target(_out_shape(eqn)))
    return [y]


def _conv_transpose(eqn: Any, x: Any, w: Any) -> Any:
    """jax.lax.conv_transpose (Keras's Conv2DTranspose): an input-dilated convolution with the kernel
    reversed spatially and its channel axes swapped, which is the op set's ``Conv2DTranspose`` of the
    original ``[KH, KW, O, C]`` kernel with the padding turned into a crop."""
    p = eqn.params
    if not (isinstance(w, _Flipped) and w.axes == {0, 1} and w.perm == (0, 1, 3, 2)):
        raise unsupported("an input-dilated convolution that is not a transposed convolution", eqn)
    if len(p["window_strides"]) != 2 or any(s != 1 for s in p["window_strides"]) or p["feature_group_count"] != 1:
        raise unsupported("a strided or grouped transposed convolution", eqn)
    kernel = w.source
    dil = [int(d) for d in p["rhs_dilation"]]
    k_eff = [(int(kernel.shape[i]) - 1) * dil[i] + 1 for i in range(2)]
    crop = [k_eff[i] - 1 - int(p["padding"][i][j]) for i in range(2) for j in range(2)]
    if any(c < 0 for c in crop):
        raise unsupported("a transposed convolution that pads its output", eqn)
    return ops.Conv2DTranspose(x, _f32(kernel), strides=[int(s) for s in p["lhs_dilation"]], padding=crop,
                               dilations=dil)


def _pool_geometry(eqn: Any, shape: Any) -> tuple[int, list[int], list[int], list[int]]:
    p = eqn.params
    win, strides, pads = list(p["window_dimensions"]), list(p["window_strides"]), list(p["padding"])
    rank = len(win)
    if win[0] != 1 or win[-1] != 1 or strides[0] != 1 or strides[-1] != 1 or rank not in (3, 4):
        raise unsupported("a pooling window over the batch or channel axis", eqn)
    dilations = [*p.get("base_dilation", [1] * rank), *p.get("window_dilation", [1] * rank)]
    if any(d != 1 for d in dilations):
        raise unsupported("a dilated pooling window", eqn)
    if rank == 3:
        win, strides, pads = [1, 1, win[1], 1], [1, 1, strides[1], 1], [(0, 0), (0, 0), pads[1], (0, 0)]
    padding = [int(pads[1][0]), int(pads[1][1]), int(pads[2][0]), int(pads[2][1])]
    return rank, win[1:3], strides[1:3], padding


def _as_4d(x: Any, rank: int) -> Any:
    return x if rank == 4 else ops.Reshape(x, shape=[0, 1, -1, int(x.shape[-1])])


@handles("reduce_window_max")
def _max_pool(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    rank, win, strides, padding = _pool_geometry(eqn, v[0].shape)
    y = ops.MaxPool2D(_as_4d(v[0], rank), pool_size=win, strides=strides, padding=padding)
    return [y if rank == 4 else ops.Reshape(y, shape=reshape_target(_out_shape(eqn)))]


@handles("reduce_window_sum")
def _sum_pool(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    # a window sum is the op set's average (mean over the window's cells inside the input) times
    # that count; the count depends only on the (concrete) spatial size, so it is a constant
    rank, win, strides, padding = _pool_geometry(eqn, v[0].shape)
    x = _as_4d(v[0], rank)
    h, w = (int(x.shape[1]), int(x.shape[2]))
    counts = _window_counts(h, w, win, strides, padding)
    y = ops.Mul(ops.AvgPool2D(x, pool_size=win, strides=strides, padding=padding), counts)
    return [y if rank == 4 else ops.Reshape(y, shape=reshape_target(_out_shape(eqn)))]


def _window_counts(h: int, w: int, win: list[int], strides: list[int], padding: list[int]) -> np.ndarray:
    """How many input cells each window covers: ``[1, OH, OW, 1]``."""
    def axis(size: int, k: int, s: int, lo: int, hi: int) -> np.ndarray:
        starts = np.arange(0, size + lo + hi - k + 1, s) - lo
        return np.minimum(starts + k, size) - np.maximum(starts, 0)

    ch = axis(h, win[0], strides[0], padding[0], padding[1])
    cw = axis(w, win[1], strides[1], padding[2], padding[3])
    return (ch[:, None] * cw[None, :]).astype(np.float32)[None, :, :, None]


# ---- selections and gathers ---------------------------------------------------------------------------
@handles("leaky_relu", table=NAMED_CALLS)
def _named_leaky_relu(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    x, slope = v
    alpha = _scalar(slope)
    if alpha is None:
        raise unsupported("leaky_relu with a computed slope", eqn)
    return [ops.LeakyRelu(x, alpha=alpha)]


@handles("relu", table=NAMED_CALLS)
def _named_relu(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return [ops.Relu(v[0])]


@handles("relu6", table=NAMED_CALLS)
def _named_relu6(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return [ops.Relu6(v[0])]


@handles("_take", table=NAMED_CALLS)
def _named_take(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    # jnp.take(data, indices, axis=0) (Keras's Embedding): one gather of whole rows; negative indices
    # wrap, as the op set's Gather does
    data, indices = v
    inner = eqn.params["jaxpr"].jaxpr
    gathers = [e for e in inner.eqns if e.primitive.name == "gather"]
    if len(gathers) != 1:
        raise unsupported("jnp.take in this form", eqn)
    dn = gathers[0].params["dimension_numbers"]
    if tuple(dn.collapsed_slice_dims) != (0,) or tuple(dn.start_index_map) != (0,):
        raise unsupported("jnp.take along an axis other than 0", eqn)
    if str(indices.dtype) != "int32":
        indices = ops.Cast(indices, to="int32")
    return [ops.Gather(_f32(data), indices, axis=0)]


# ---- calls ------------------------------------------------------------------------------------------
_SUB_JAXPR = ("jaxpr", "call_jaxpr", "fun_jaxpr")


@handles("pjit", "jit", "closed_call", "core_call", "remat", "checkpoint", "custom_jvp_call", "custom_vjp_call",
         "custom_vjp_call_jaxpr")
def _call(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    name = eqn.params.get("name")
    if name in NAMED_CALLS:
        return NAMED_CALLS[name](it, eqn, v)
    sub = next((eqn.params[k] for k in _SUB_JAXPR if k in eqn.params), None)
    if sub is None:
        raise unsupported(f"the call {eqn.primitive.name!r}", eqn)
    if not hasattr(sub, "consts"):  # an open jaxpr (remat): no constants of its own
        from jax.extend.core import ClosedJaxpr  # keras extra; JAX is loaded by then

        sub = ClosedJaxpr(sub, ())
    return it.run(sub, v[len(v) - len(sub.jaxpr.invars):])


@handles("select_n")
def _select_n(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    # jnp.where: select_n(pred, if_false, if_true); a predicate known from constants picks a case
    pred, *cases = v
    if is_const(pred) and np.all(pred == pred.flat[0]):
        return [cases[int(pred.flat[0])]]
    if len(cases) != 2 or str(eqn.invars[0].aval.dtype) != "bool":
        raise unsupported("a selection among more than two cases", eqn)
    if any(str(c.dtype) != "float32" for c in cases if not is_const(c)):
        raise unsupported("a selection between integer values", eqn)
    return [ops.Where(_mask(pred), _f32(cases[1]), _f32(cases[0]))]


def _mask(x: Any) -> Any:
    """A JAX bool as the op set has it: a float32 mask (1.0 true)."""
    return np.asarray(x, np.float32) if is_const(x) else x


_COMPARISONS = {"gt": "Greater", "ge": "GreaterEqual", "lt": "Less", "le": "LessEqual", "eq": "Equal", "ne": "NotEqual"}


def _comparison(op: str) -> Any:
    def handler(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
        a, b = v
        dtype = str(eqn.invars[0].aval.dtype)
        if dtype == "bool":
            a, b, dtype = _mask(a), _mask(b), "float32"
        if dtype not in ("float32", "int32"):
            raise unsupported(f"a comparison of {dtype} values", eqn)
        a = np.asarray(a, dtype) if is_const(a) else a
        b = np.asarray(b, dtype) if is_const(b) else b
        return [ops.apply(op, a, b)]

    return handler


for _prim, _op in _COMPARISONS.items():
    handles(_prim)(_comparison(_op))


@handles("and")
def _and(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    if str(eqn.outvars[0].aval.dtype) != "bool":
        raise unsupported("a bitwise and of integers", eqn)
    return [ops.Mul(_mask(v[0]), _mask(v[1]))]


@handles("or")
def _or(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    if str(eqn.outvars[0].aval.dtype) != "bool":
        raise unsupported("a bitwise or of integers", eqn)
    return [ops.Maximum(_mask(v[0]), _mask(v[1]))]


@handles("not")
def _not(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    if str(eqn.outvars[0].aval.dtype) != "bool":
        raise unsupported("a bitwise not of integers", eqn)
    return [ops.Sub(np.float32(1.0), _mask(v[0]))]


@handles("ceil")
def _ceil(it: Interpreter, eqn: Any, v: list[Any]) -> list[Any]:
    return [ops.Mul(ops.Floor(ops.Mul(v[0], np.float32(-1.0))), np.float32(-1.0))]
