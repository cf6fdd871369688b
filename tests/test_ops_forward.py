"""Forward of every op against an independent formulation (naive loops, scipy, einsum, python slicing),
shape rules against the forward, ShapeError messages, and the NaN/Inf rules of the op set's 'nan' fields."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import scipy.special
import scipy.stats

from webgrad import raw_ops as ops
from webgrad.exporter.opset import normalize_attrs, op_names, op_spec
from webgrad.exporter.vectors import op_cases, op_rejects
from webgrad.raw_ops import REGISTRY, ShapeError
from webgrad.tensor import SymbolicTensor

RNG = np.random.default_rng(20240601)
NAN, INF = np.nan, np.inf


def fwd(op: str, *inputs, **attrs) -> np.ndarray:
    """Runs the registered forward directly (any float dtype) with defaulted attributes."""
    return REGISTRY[op].forward(list(inputs), normalize_attrs(op, attrs))


def rand(*shape: int, scale: float = 1.0) -> np.ndarray:
    return RNG.standard_normal(shape) * scale


# ---- independent references ------------------------------------------------------------------


def tf_same_pads(n: int, k: int, s: int, d: int) -> tuple[int, int]:
    """TensorFlow's SAME padding, written out from its documentation."""
    out = math.ceil(n / s)
    total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2


def resolve(padding, h, w, kh, kw, strides, dilations) -> tuple[int, int, int, int]:
    if padding == "VALID":
        return 0, 0, 0, 0
    if padding == "SAME":
        return (*tf_same_pads(h, kh, strides[0], dilations[0]), *tf_same_pads(w, kw, strides[1], dilations[1]))
    return tuple(padding)


ACT = {
    "none": lambda z: z,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "relu6": lambda z: np.clip(z, 0.0, 6.0),
    "leaky_relu": lambda z, a=0.2: np.where(z >= 0, z, a * z),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "gelu": lambda z: z * scipy.stats.norm.cdf(z),
}


def naive_conv(x, w, b, strides=(1, 1), padding="VALID", dilations=(1, 1), groups=1, activation="none"):
    """The 7-loop definition of a grouped, strided, dilated, padded cross-correlation."""
    n, h, wd, c = x.shape
    kh, kw, cg, o = w.shape
    t, bo, le, r = resolve(padding, h, wd, kh, kw, strides, dilations)
    xp = np.zeros((n, h + t + bo, wd + le + r, c))
    xp[:, t : t + h, le : le + wd] = x
    oh = (h + t + bo - (kh - 1) * dilations[0] - 1) // strides[0] + 1
    ow = (wd + le + r - (kw - 1) * dilations[1] - 1) // strides[1] + 1
    og = o // groups
    y = np.zeros((n, oh, ow, o))
    for ni, yi, xi, oi in itertools.product(range(n), range(oh), range(ow), range(o)):
        grp = oi // og
        acc = 0.0
        for i, j, ci in itertools.product(range(kh), range(kw), range(cg)):
            acc += (
                xp[ni, yi * strides[0] + i * dilations[0], xi * strides[1] + j * dilations[1], grp * cg + ci]
                * w[i, j, ci, oi]
            )
        y[ni, yi, xi, oi] = acc + (0.0 if b is None else b[oi])
    return ACT[activation](y)


def naive_pool(x, pool_size, strides, padding, kind):
    n, h, w, c = x.shape
    kh, kw = pool_size
    t, b, le, r = resolve(padding, h, w, kh, kw, strides, (1, 1))
    oh = (h + t + b - kh) // strides[0] + 1
    ow = (w + le + r - kw) // strides[1] + 1
    y = np.zeros((n, oh, ow, c))
    for yi, xi in itertools.product(range(oh), range(ow)):
        r0, c0 = yi * strides[0] - t, xi * strides[1] - le
        win = x[:, max(r0, 0) : min(r0 + kh, h), max(c0, 0) : min(c0 + kw, w), :]
        y[:, yi, xi, :] = win.max(axis=(1, 2)) if kind == "max" else win.mean(axis=(1, 2))
    return y


# ---- Conv2D and pools ---------------------------------------------------------------------------

CONV_CASES = [
    # x shape, w shape, attrs
    ((2, 6, 7, 3), (3, 3, 3, 4), {}),
    ((2, 6, 7, 3), (3, 2, 3, 4), {"strides": [2, 1], "padding": "SAME"}),
    ((1, 7, 7, 2), (3, 3, 2, 3), {"strides": [2, 2], "padding": "SAME"}),
    ((1, 6, 6, 2), (2, 2, 2, 3), {"padding": "SAME"}),
    ((2, 5, 6, 3), (3, 3, 3, 2), {"padding": [1, 2, 0, 1], "strides": [2, 1]}),
    ((1, 7, 8, 2), (3, 2, 2, 3), {"dilations": [2, 3]}),
    ((1, 7, 7, 2), (3, 3, 2, 2), {"dilations": [2, 2], "padding": "SAME", "strides": [2, 2]}),
    ((2, 5, 5, 4), (3, 3, 2, 6), {"groups": 2, "padding": "SAME"}),
    ((1, 6, 6, 6), (2, 2, 2, 3), {"groups": 3, "strides": [2, 2]}),
    ((2, 5, 5, 3), (3, 3, 1, 3), {"groups": 3, "padding": "SAME"}),
    ((2, 6, 5, 3), (3, 3, 1, 6), {"groups": 3, "strides": [2, 1], "padding": [0, 1, 1, 0]}),
    ((2, 4, 4, 3), (1, 1, 3, 5), {}),
    ((2, 5, 5, 3), (1, 1, 3, 5), {"strides": [2, 2]}),
    ((1, 5, 5, 16), (3, 3, 16, 4), {"padding": "SAME"}),  # wide rows: the long-run im2col copy
]


@pytest.mark.parametrize(("xs", "ws", "attrs"), CONV_CASES)
def test_conv2d_matches_naive_loops(xs, ws, attrs):
    x, w, b = rand(*xs), rand(*ws), rand(ws[3])
    want = naive_conv(x, w, b, **attrs)
    np.testing.assert_allclose(fwd("Conv2D", x, w, b, **attrs), want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fwd("Conv2D", x, w, None, **attrs), want - b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "relu6", "leaky_relu", "sigmoid", "tanh", "gelu"])
@pytest.mark.parametrize("groups", [1, 2])
def test_conv2d_fused_activation(activation, groups):
    x, w, b = rand(2, 5, 5, 4, scale=3), rand(3, 3, 4 // groups, 4), rand(4)
    want = naive_conv(x, w, b, groups=groups, padding="SAME", activation=activation)
    got = fwd("Conv2D", x, w, b, groups=groups, padding="SAME", activation=activation)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_conv2d_leaky_alpha_and_float32_stays_float32():
    x, w = rand(1, 4, 4, 2).astype(np.float32), rand(2, 2, 2, 3).astype(np.float32)
    got = fwd("Conv2D", x, w, None, activation="leaky_relu", alpha=0.05)
    assert got.dtype == np.float32
    z = naive_conv(x.astype(np.float64), w.astype(np.float64), None)
    np.testing.assert_allclose(got, np.where(z >= 0, z, 0.05 * z), rtol=1e-5, atol=1e-6)


def test_conv2d_through_the_public_dispatcher():
    x, w, b = (rand(2, 7, 7, 3).astype(np.float32), rand(3, 3, 3, 4).astype(np.float32), rand(4).astype(np.float32))
    y = ops.Conv2D(x, w, b, strides=[2, 2], padding="SAME")
    assert y.shape == (2, 4, 4, 4)
    want = naive_conv(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), (2, 2), "SAME")
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-4, atol=1e-5)


POOL_CASES = [
    ((2, 6, 6, 3), {}),
    ((1, 5, 5, 2), {"pool_size": [3, 3], "strides": [2, 2], "padding": "SAME"}),
    ((1, 5, 7, 2), {"padding": "SAME"}),
    ((1, 5, 5, 2), {"pool_size": [3, 3], "strides": [2, 2], "padding": [1, 1, 2, 0]}),
    ((2, 5, 6, 1), {"pool_size": [3, 2], "strides": [1, 1]}),
    ((1, 7, 7, 2), {"pool_size": [2, 2], "strides": [3, 3]}),
    ((1, 4, 4, 1), {"pool_size": [2, 2], "strides": [1, 2], "padding": [1, 0, 0, 1]}),
]


@pytest.mark.parametrize(("xs", "attrs"), POOL_CASES)
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pools_match_naive_loops(xs, attrs, kind):
    x = rand(*xs)
    full = normalize_attrs("MaxPool2D", attrs)
    want = naive_pool(x, full["pool_size"], full["strides"], full["padding"], kind)
    got = fwd("MaxPool2D" if kind == "max" else "AvgPool2D", x, **attrs)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_avg_pool_counts_only_real_pixels():
    x = np.ones((1, 3, 3, 1))
    # SAME 2x2 stride 2 on 3x3: the bottom/right windows hang over the edge; the mean stays 1.
    np.testing.assert_array_equal(fwd("AvgPool2D", x, padding="SAME"), np.ones((1, 2, 2, 1)))


def test_max_pool_padding_never_wins_and_nan_spreads():
    x = -np.ones((1, 3, 3, 1)) * 5
    assert np.all(fwd("MaxPool2D", x, padding="SAME") == -5)
    x[0, 0, 0, 0] = NAN
    y = fwd("MaxPool2D", x, padding="SAME")
    assert np.isnan(y[0, 0, 0, 0]) and not np.isnan(y[0, 1, 1, 0])


def test_global_avg_pool():
    x = rand(2, 3, 4, 5)
    np.testing.assert_allclose(fwd("GlobalAvgPool", x), x.sum(axis=(1, 2)) / 12)


# ---- MatMul ------------------------------------------------------------------------------------

MATMUL_CASES = [
    ((3, 4), (4, 5), False, False),
    ((4, 3), (4, 5), True, False),
    ((3, 4), (5, 4), False, True),
    ((4, 3), (5, 4), True, True),
    ((2, 3, 4), (4, 5), False, False),
    ((2, 1, 3, 4), (3, 4, 5), False, False),
    ((3, 4), (2, 4, 5), False, False),
    ((2, 4, 3), (1, 5, 4), True, True),
]


@pytest.mark.parametrize(("sa", "sb", "ta", "tb"), MATMUL_CASES)
def test_matmul_matches_einsum(sa, sb, ta, tb):
    a, b, bias = rand(*sa), rand(*sb), rand(sb[-2] if tb else sb[-1])
    opa = np.swapaxes(a, -1, -2) if ta else a
    opb = np.swapaxes(b, -1, -2) if tb else b
    want = np.einsum("...mk,...kn->...mn", opa, opb) + bias
    got = fwd("MatMul", a, b, bias, transpose_a=ta, transpose_b=tb)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("activation", list(ACT))
def test_matmul_fused_activation(activation):
    a, b, bias = rand(4, 3, scale=3), rand(3, 5, scale=3), rand(5)
    got = fwd("MatMul", a, b, bias, activation=activation)
    np.testing.assert_allclose(got, ACT[activation](a @ b + bias), rtol=1e-10, atol=1e-12)


# ---- elementwise and activations -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "ref"),
    [
        ("Add", np.add),
        ("Sub", np.subtract),
        ("Mul", np.multiply),
        ("Div", np.divide),
        ("Maximum", np.fmax),
        ("Minimum", np.fmin),
    ],
)
@pytest.mark.parametrize(("sa", "sb"), [((2, 3), (2, 3)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((2, 3), ())])
def test_binary_broadcasting(op, ref, sa, sb):
    a, b = rand(*sa), rand(*sb) + 3.0
    np.testing.assert_allclose(fwd(op, a, b), ref(a, b), rtol=1e-15)


def test_unary_activations_against_formulas():
    x = np.linspace(-9, 9, 181)
    sig = np.array([1 / (1 + math.exp(-v)) for v in x])
    np.testing.assert_array_equal(fwd("Relu", x), np.where(x > 0, x, 0))
    np.testing.assert_array_equal(fwd("Relu6", x), np.where(x > 6, 6, np.where(x > 0, x, 0)))
    np.testing.assert_allclose(fwd("LeakyRelu", x, alpha=0.3), np.where(x >= 0, x, 0.3 * x))
    np.testing.assert_allclose(fwd("LeakyRelu", x, alpha=-0.5), np.where(x >= 0, x, -0.5 * x))
    np.testing.assert_allclose(fwd("Sigmoid", x), sig, rtol=1e-14)
    np.testing.assert_allclose(fwd("Tanh", x), [math.tanh(v) for v in x], rtol=1e-14)
    np.testing.assert_allclose(fwd("Gelu", x), x * scipy.stats.norm.cdf(x), rtol=1e-13, atol=1e-300)
    approx = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    np.testing.assert_allclose(fwd("Gelu", x, approximate=True), approx, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(fwd("Exp", x), [math.exp(v) for v in x], rtol=1e-14)
    pos = np.abs(x) + 0.5
    np.testing.assert_allclose(fwd("Log", pos), [math.log(v) for v in pos], rtol=1e-14)
    np.testing.assert_allclose(fwd("Sqrt", pos), [math.sqrt(v) for v in pos], rtol=1e-14)


def test_sigmoid_does_not_overflow_in_float32():
    x = np.array([-1e4, -200.0, 0.0, 200.0, 1e4], np.float32)
    with np.errstate(all="raise"):
        y = ops.Sigmoid(x).numpy()
    np.testing.assert_allclose(y, [0, 0, 0.5, 1, 1], atol=1e-30)
    assert y.dtype == np.float32


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_and_log_softmax_match_scipy(axis):
    x = rand(3, 4, 5, scale=4)
    np.testing.assert_allclose(fwd("Softmax", x, axis=axis), scipy.special.softmax(x, axis=axis), rtol=1e-13)
    np.testing.assert_allclose(fwd("LogSoftmax", x, axis=axis), scipy.special.log_softmax(x, axis=axis), rtol=1e-13)


def test_softmax_is_stable_for_large_inputs():
    x = np.array([[1000.0, 1001.0, 1002.0]], np.float32)
    np.testing.assert_allclose(ops.Softmax(x).numpy(), scipy.special.softmax([[0.0, 1.0, 2.0]], axis=1), rtol=1e-6)
    np.testing.assert_allclose(ops.LogSoftmax(x).numpy(), scipy.special.log_softmax([[0, 1, 2.0]], axis=1), rtol=1e-6)


# ---- normalization ----------------------------------------------------------------------------------


def test_batch_norm_formula():
    x, scale, bias, mean = rand(2, 3, 4), rand(4), rand(4), rand(4)
    var = RNG.random(4) + 0.5
    want = (x - mean) / np.sqrt(var + 1e-3) * scale + bias
    np.testing.assert_allclose(fwd("BatchNorm", x, scale, bias, mean, var), want, rtol=1e-13)


@pytest.mark.parametrize("axis", [-1, 1, -2])
def test_layer_norm_matches_numpy_var(axis):
    x = rand(2, 3, 4)
    gamma, beta = rand(*x.shape[axis:]), rand(*x.shape[axis:])
    axes = tuple(range(axis % 3, 3))
    want = (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + 1e-5) * gamma + beta
    np.testing.assert_allclose(fwd("LayerNorm", x, gamma, beta, axis=axis, epsilon=1e-5), want, rtol=1e-12)


# ---- data movement ---------------------------------------------------------------------------------


def test_reshape_flatten_transpose_concat():
    x = rand(2, 3, 4)
    np.testing.assert_array_equal(fwd("Reshape", x, shape=[0, -1]), x.reshape(2, 12))
    np.testing.assert_array_equal(fwd("Reshape", x, shape=[4, 0, 2]), x.reshape(4, 3, 2))
    np.testing.assert_array_equal(fwd("Flatten", x), x.reshape(2, 12))
    np.testing.assert_array_equal(fwd("Flatten", x, axis=0), x.reshape(1, 24))
    np.testing.assert_array_equal(fwd("Flatten", x, axis=-1), x.reshape(6, 4))
    np.testing.assert_array_equal(fwd("Flatten", x, axis=3), x.reshape(24, 1))
    np.testing.assert_array_equal(fwd("Transpose", x, perm=[2, 0, 1]), np.moveaxis(x, 2, 0))
    parts = [rand(2, k, 4) for k in (1, 3, 2)]
    np.testing.assert_array_equal(REGISTRY["Concat"].forward(parts, {"axis": -2}), np.concatenate(parts, axis=1))


@pytest.mark.parametrize(
    ("attrs", "index"),
    [
        ({"starts": [1], "ends": [3]}, np.s_[1:3]),
        ({"starts": [-4, 0], "ends": [-1, 6], "axes": [2, 0], "steps": [2, 3]}, np.s_[0:6:3, :, -4:-1:2]),
        ({"starts": [-100, 2], "ends": [100, 1000], "axes": [1, -1]}, np.s_[:, -100:100, 2:1000]),
        ({"starts": [3], "ends": [1], "axes": [1]}, np.s_[:, 3:1]),
    ],
)
def test_slice_matches_python_slicing(attrs, index):
    x = np.arange(4 * 5 * 6).reshape(4, 5, 6).astype(np.int32)
    np.testing.assert_array_equal(fwd("Slice", x, **attrs), x[index])


def test_gather_negative_indices_and_errors():
    table = rand(5, 3)
    idx = np.array([[0, -1], [4, -5]], np.int32)
    np.testing.assert_array_equal(fwd("Gather", table, idx), table[[[0, 4], [4, 0]]])
    np.testing.assert_array_equal(fwd("Gather", table, np.array([2, -3], np.int32), axis=1), table[:, [2, 0]])
    with pytest.raises(IndexError, match="Gather: index 5 is out of range"):
        fwd("Gather", table, np.array([1, 5], np.int32))
    with pytest.raises(IndexError, match="Gather: index -6"):
        fwd("Gather", table, np.array([-6], np.int32))


@pytest.mark.parametrize(("axes", "keepdims"), [(None, False), ([1], False), ([-1], True), ([0, 2], True), ([], False)])
def test_reductions_match_numpy(axes, keepdims):
    x = rand(2, 3, 4)
    ax = None if axes is None else tuple(a % 3 for a in axes)
    for op, ref in (("ReduceSum", np.sum), ("ReduceMean", np.mean), ("ReduceMax", np.max)):
        got = fwd(op, x, axes=axes, keepdims=keepdims)
        np.testing.assert_allclose(got, ref(x, axis=ax, keepdims=keepdims), rtol=1e-14)


def test_arg_max_ties_nan_and_int32():
    x = np.array([[1.0, 3.0, 3.0], [NAN, 5.0, NAN], [-INF, -INF, -INF], [2.0, INF, INF]], np.float32)
    y = ops.ArgMax(x).numpy()
    assert y.dtype == np.int32
    np.testing.assert_array_equal(y, [1, 0, 0, 1])
    np.testing.assert_array_equal(ops.ArgMax(x, axis=0, keepdims=True).numpy(), [[1, 3, 1]])  # NaNs win


# ---- zero-size axes: the op set's 'empty' fields ------------------------------------------------------


def test_reductions_over_a_zero_size_axis_give_the_op_sets_identities():
    x = np.zeros((2, 0, 3), np.float32)
    with np.errstate(all="raise"):  # no warning either: the empty case is defined, not an accident
        for op, want in (("ReduceSum", 0.0), ("ReduceMean", NAN), ("ReduceMax", -INF)):
            for attrs, shape in (({"axes": [1]}, (2, 3)), ({"axes": [1], "keepdims": True}, (2, 1, 3)), ({}, ())):
                y = ops.apply(op, x, **attrs).numpy()
                assert y.shape == shape and y.dtype == np.float32, (op, attrs)
                np.testing.assert_array_equal(y, np.full(shape, want, np.float32), err_msg=f"{op} {attrs}")


def test_softmax_over_a_zero_size_axis_is_empty():
    for op in ("Softmax", "LogSoftmax"):
        for shape, axis in (((2, 0, 3), 1), ((0, 4), -1), ((3, 0), 0)):
            with np.errstate(all="raise"):
                y = ops.apply(op, np.zeros(shape, np.float32), axis=axis).numpy()
            assert y.shape == shape and y.dtype == np.float32, (op, shape, axis)


def test_arg_max_over_a_zero_size_axis_is_a_shape_error_eager_and_symbolic():
    for shape, axis in (((2, 0, 3), 1), ((0, 4), 0), ((4, 0), -1)):
        with pytest.raises(ShapeError, match=rf"ArgMax: axis {axis} of x \({shape[0]}, .*has size 0"):
            ops.ArgMax(np.zeros(shape, np.float32), axis=axis)
        with pytest.raises(ShapeError, match="has size 0"):
            ops.apply("ArgMax", S(shape), axis=axis)
    assert ops.apply("ArgMax", S((None, 0, 3)), axis=0).shape == (0, 3)  # an unknown dim passes
    assert ops.ArgMax(np.zeros((0, 4), np.float32)).numpy().shape == (0,)  # size-0 axis is not 'axis'


@pytest.mark.parametrize("op", [op for op in op_names() if op_rejects(op)])
def test_every_vector_reject_is_refused_by_the_shape_rule(op):
    for r in op_rejects(op):
        shapes = [None if x is None else x.shape for x in r.inputs]
        dtypes = [None if x is None else str(x.dtype) for x in r.inputs]
        with pytest.raises(ShapeError, match=op):
            REGISTRY[op].shape(shapes, dtypes, r.attrs)
        with pytest.raises(ShapeError, match=op):
            REGISTRY[op].forward(r.inputs, r.attrs)


# ---- Gelu tails ----------------------------------------------------------------------------------------


def test_gelu_is_relatively_exact_in_both_tails():
    """The reference rounds x * Phi(x) once from float64 (scipy's erfc), so it is the correctly rounded
    float32 value up to an ulp, down to x = -10 where the result is ~1e-23."""
    x = np.linspace(-10, 10, 2001).astype(np.float32)
    xd = x.astype(np.float64)
    exact = xd * 0.5 * scipy.special.erfc(-xd / math.sqrt(2))
    np.testing.assert_allclose(ops.Gelu(x).numpy(), exact, rtol=1.2e-7, atol=0)
    u = math.sqrt(2 / math.pi) * (xd + 0.044715 * xd**3)
    np.testing.assert_allclose(ops.Gelu(x, approximate=True).numpy(), xd * scipy.special.expit(2 * u), rtol=1.2e-7)


# ---- casts and quantization ------------------------------------------------------------------------

CAST_IN = np.array([NAN, INF, -INF, -0.0, 2.7, -2.7, 127.9, 128.5, -128.9, 255.5, -1.5, 3e9], np.float32)


@pytest.mark.parametrize(
    ("to", "want"),
    [
        ("int32", [0, 0, 0, 0, 2, -2, 127, 128, -128, 255, -1, 0]),
        ("int8", [0, 0, 0, 0, 2, -2, 127, 0, -128, 0, -1, 0]),
        ("uint8", [0, 0, 0, 0, 2, 0, 127, 128, 0, 255, 0, 0]),
    ],
)
def test_cast_float_to_int_truncates_and_zeroes_the_rest(to, want):
    y = ops.Cast(CAST_IN, to=to).numpy()
    assert y.dtype == np.dtype(to)
    np.testing.assert_array_equal(y, want)


def test_cast_between_ints_and_to_floats():
    ints = np.array([0, -1, 127, 128, -129, 255, 256], np.int32)
    np.testing.assert_array_equal(ops.Cast(ints, to="int8").numpy(), [0, -1, 127, 0, 0, 0, 0])
    np.testing.assert_array_equal(ops.Cast(ints, to="uint8").numpy(), [0, 0, 127, 128, 0, 255, 0])
    np.testing.assert_array_equal(ops.Cast(ints, to="float32").numpy(), ints.astype(np.float64))
    half = ops.Cast(np.array([1.0, 70000.0, NAN], np.float32), to="float16").numpy()
    assert half.dtype == np.float16 and half[0] == 1 and half[1] == INF and np.isnan(half[2])


def test_dequantize_per_tensor_and_per_channel():
    q = np.array([[-128, 0, 127], [5, -5, 1]], np.int8)
    got = ops.Dequantize(q, np.array([0.5], np.float32), np.array([2.0], np.float32)).numpy()
    np.testing.assert_allclose(got, (q.astype(np.float64) - 2) * 0.5)
    scale, zp = np.array([0.1, 0.2, 0.3], np.float32), np.array([1.0, 2.0, 3.0], np.float32)
    got = ops.Dequantize(q, scale, zp, axis=-1).numpy()
    np.testing.assert_allclose(got, (q - zp.astype(np.float64)) * scale.astype(np.float64), rtol=1e-6)
    got = ops.Dequantize(q, scale[:2], None, axis=0).numpy()
    np.testing.assert_allclose(got, q * scale[:2, None].astype(np.float64), rtol=1e-6)
    u = np.array([0, 128, 255], np.uint8)
    np.testing.assert_allclose(
        ops.Dequantize(u, np.array(2.0, np.float32), np.array([128.0], np.float32)).numpy(), [-256.0, 0.0, 254.0]
    )
    h = np.array([NAN, INF, -INF, 65504, 1e-7], np.float16)
    y = ops.Dequantize(h).numpy()
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, h.astype(np.float32))


# ---- NaN / Inf rules from the op set's 'nan' fields -------------------------------------------------


def test_nan_and_inf_rules():
    with np.errstate(all="raise"):  # the reference itself must not warn on the specified cases
        d = ops.Div(np.array([1, -1, 0, 2], np.float32), np.array([0, 0, 0, -0.0], np.float32)).numpy()
        assert d[0] == INF and d[1] == -INF and np.isnan(d[2]) and d[3] == -INF
        assert np.isnan(ops.Maximum(np.array([NAN, 1], np.float32), np.array([0, NAN], np.float32)).numpy()).all()
        assert np.isnan(ops.Minimum(np.array([NAN, 1], np.float32), np.array([0, NAN], np.float32)).numpy()).all()
        for op in ("Relu", "Relu6", "LeakyRelu", "Sigmoid", "Tanh", "Gelu", "Exp"):
            assert np.isnan(getattr(ops, op)(np.array([NAN], np.float32)).numpy()).all(), op
        ends = np.array([-INF, INF], np.float32)
        np.testing.assert_array_equal(ops.Gelu(ends).numpy(), [0, INF])
        np.testing.assert_array_equal(ops.Gelu(ends, approximate=True).numpy(), [0, INF])
        np.testing.assert_array_equal(ops.Sigmoid(ends).numpy(), [0, 1])
        np.testing.assert_array_equal(ops.Tanh(ends).numpy(), [-1, 1])
        np.testing.assert_array_equal(ops.Exp(np.array([100, -INF], np.float32)).numpy(), [INF, 0])
        lg = ops.Log(np.array([0, -1, INF], np.float32)).numpy()
        assert lg[0] == -INF and np.isnan(lg[1]) and lg[2] == INF
        sq = ops.Sqrt(np.array([-1, INF], np.float32)).numpy()
        assert np.isnan(sq[0]) and sq[1] == INF
        rows = np.array([[1, NAN, 2], [1, INF, 2], [-INF, 0, 1]], np.float32)
        for op in ("Softmax", "LogSoftmax"):
            y = getattr(ops, op)(rows).numpy()
            assert np.isnan(y[:2]).all() and np.isfinite(y[2, 1:]).all(), op
        assert np.isnan(ops.ReduceMax(np.array([[1, NAN], [1, 2]], np.float32), axes=[1]).numpy()[0])
        ln = ops.LayerNorm(
            np.array([[1, NAN, 2], [1, 2, 3]], np.float32), np.ones(3, np.float32), np.zeros(3, np.float32)
        ).numpy()
        assert np.isnan(ln[0]).all() and np.isfinite(ln[1]).all()
        assert ops.Cast(np.array([NAN], np.float32), to="int32").numpy()[0] == 0


# ---- shape rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", op_names())
def test_shape_rule_matches_forward_on_every_vector_case(op):
    impl = REGISTRY[op]
    for case in op_cases(op):
        with np.errstate(all="ignore"):
            y = impl.forward(case.inputs, case.attrs)
        shapes = [None if x is None else x.shape for x in case.inputs]
        dtypes = [None if x is None else str(x.dtype) for x in case.inputs]
        shape, dtype = impl.shape(shapes, dtypes, case.attrs)
        assert (tuple(shape), dtype) == (y.shape, str(y.dtype)), (op, case.name)
        assert dtype == str(np.dtype(dtype)) and (
            op_spec(op)["output"]["dtype"] in ("same", "attr:to") or dtype == op_spec(op)["output"]["dtype"]
        )


@pytest.mark.parametrize("op", op_names())
def test_forward_never_writes_into_its_inputs(op):
    for case in op_cases(op):
        before = [None if x is None else x.copy() for x in case.inputs]
        with np.errstate(all="ignore"):
            REGISTRY[op].forward(case.inputs, case.attrs)
        for x, b in zip(case.inputs, before, strict=True):
            assert x is None or np.array_equal(x, b, equal_nan=x.dtype.kind == "f"), (op, case.name)


S = SymbolicTensor


@pytest.mark.parametrize(
    ("op", "inputs", "attrs", "want"),
    [
        (
            "Conv2D",
            [S((None, 28, 28, 1)), S((3, 3, 1, 8)), S((8,))],
            {"strides": [2, 2], "padding": "SAME"},
            (None, 14, 14, 8),
        ),
        ("Conv2D", [S((None, None, None, 3)), S((3, 3, 3, 4))], {}, (None, None, None, 4)),
        ("MaxPool2D", [S((None, 27, 27, 4))], {}, (None, 13, 13, 4)),
        ("AvgPool2D", [S((None, 5, 5, 4))], {"padding": "SAME"}, (None, 3, 3, 4)),
        ("GlobalAvgPool", [S((None, 7, 7, 32))], {}, (None, 32)),
        ("MatMul", [S((None, 784)), S((784, 10)), S((10,))], {}, (None, 10)),
        ("MatMul", [S((None, 5, 8)), S((10, 8))], {"transpose_b": True}, (None, 5, 10)),
        ("Add", [S((None, 10)), S((10,))], {}, (None, 10)),
        ("Mul", [S((None, 1, 4)), S((3, 1))], {}, (None, 3, 4)),
        ("Reshape", [S((None, 28, 28))], {"shape": [0, -1]}, (None, 784)),
        ("Reshape", [S((None, 4))], {"shape": [-1, 2]}, (None, 2)),
        ("Flatten", [S((None, 7, 7, 64))], {}, (None, 3136)),
        ("Transpose", [S((None, 3, 5))], {"perm": [0, 2, 1]}, (None, 5, 3)),
        ("Concat", [S((None, 3)), S((None, 4))], {}, (None, 7)),
        ("Concat", [S((None, 3)), S((2, 3))], {"axis": 0}, (None, 3)),
        ("Slice", [S((None, 10))], {"starts": [0, 2], "ends": [2, 5]}, (None, 3)),
        ("Gather", [S((100, 16)), S((None, 20), "int32")], {}, (None, 20, 16)),
        ("ReduceSum", [S((None, 5, 3))], {"axes": [-1]}, (None, 5)),
        ("ReduceMean", [S((None, 5, 3))], {"axes": [0], "keepdims": True}, (1, 5, 3)),
        ("ArgMax", [S((None, 10))], {}, (None,)),
        ("Softmax", [S((None, 10))], {}, (None, 10)),
        ("LayerNorm", [S((None, 4, 8)), S((8,)), S((8,))], {}, (None, 4, 8)),
        ("BatchNorm", [S((None, 6))] + [S((6,))] * 4, {}, (None, 6)),
        ("Cast", [S((None, 3))], {"to": "int32"}, (None, 3)),
        ("Dequantize", [S((None, 3), "int8"), S((3,))], {"axis": 1}, (None, 3)),
    ],
)
def test_shape_rules_with_unknown_batch(op, inputs, attrs, want):
    y = ops.apply(op, *inputs, **attrs)
    assert y.shape == want
    assert y.dtype == {"ArgMax": "int32", "Cast": "int32"}.get(op, "float32")


@pytest.mark.parametrize(
    ("op", "inputs", "attrs", "message"),
    [
        (
            "MatMul",
            [S((None, 784)), S((100, 10))],
            {},
            r"MatMul: a is \(None, 784\) but b is \(100, 10\): inner dims 784 and 100",
        ),
        ("MatMul", [S((3, 4)), S((4, 5)), S((4,))], {}, r"MatMul: bias must be \[5\]"),
        ("MatMul", [S((2, 3, 4)), S((3, 4, 5))], {}, r"MatMul: shapes \(2,\) and \(3,\) do not broadcast"),
        (
            "Conv2D",
            [S((None, 8, 8, 3)), S((3, 3, 4, 8))],
            {},
            r"Conv2D: x is \(None, 8, 8, 3\) with 3 channels but w is \(3, 3, 4, 8\)",
        ),
        ("Conv2D", [S((None, 8, 8, 4)), S((3, 3, 2, 5))], {"groups": 2}, r"do not divide into 2 groups"),
        (
            "Conv2D",
            [S((None, 2, 2, 3)), S((3, 3, 3, 8))],
            {},
            r"Conv2D: the height window \(3 with dilation\) is larger",
        ),
        ("Conv2D", [S((None, 8, 8)), S((3, 3, 3, 8))], {}, r"Conv2D: x \(NHWC\) must have rank 4"),
        (
            "MaxPool2D",
            [S((1, 4, 4, 1))],
            {"padding": [2, 0, 0, 0]},
            r"MaxPool2D: padding \[2, 0, 0, 0\] must be smaller",
        ),
        ("Add", [S((2, 3)), S((4,))], {}, r"Add: shapes \(2, 3\) and \(4,\) do not broadcast"),
        ("Reshape", [S((2, 3))], {"shape": [4, -1]}, r"Reshape: cannot reshape \(2, 3\) to \[4, -1\]"),
        ("Reshape", [S((2, 3))], {"shape": [5]}, r"element counts differ"),
        ("Concat", [S((2, 3)), S((3, 4))], {}, r"Concat: input 1 is \(3, 4\) but input 0 is \(2, 3\)"),
        ("Transpose", [S((2, 3))], {"perm": [0, 0]}, r"not a permutation"),
        ("Slice", [S((2, 3))], {"starts": [0], "ends": [1], "steps": [-1]}, r"steps must be positive"),
        ("Softmax", [S((2, 3))], {"axis": 2}, r"Softmax: axis 2 is out of range"),
        ("ReduceSum", [S((2, 3))], {"axes": [1, -1]}, r"name an axis twice"),
        ("BatchNorm", [S((2, 3)), S((4,)), S((3,)), S((3,)), S((3,))], {}, r"BatchNorm: scale must be \[3\]"),
        ("LayerNorm", [S((2, 3)), S((2,)), S((3,))], {}, r"LayerNorm: gamma must be x\[1:\]"),
        ("Dequantize", [S((2, 3), "int8"), S((2,))], {}, r"with axis null, scale must be a scalar"),
        ("Dequantize", [S((2, 3), "int8"), S((2,))], {"axis": 1}, r"Dequantize: scale must be \[3\]"),
        ("Gather", [S((2, 3)), S((4,), "int32")], {"axis": 2}, r"Gather: axis 2 is out of range"),
        ("GlobalAvgPool", [S((2, 3))], {}, r"GlobalAvgPool: x \(NHWC\) must have rank 4"),
    ],
)
def test_shape_errors_name_the_op_and_shapes(op, inputs, attrs, message):
    with pytest.raises(ShapeError, match=message):
        ops.apply(op, *inputs, **attrs)


def test_eager_shape_errors_are_clear_too():
    with pytest.raises(ShapeError, match="MatMul: a is"):
        ops.MatMul(np.ones((2, 3), np.float32), np.ones((4, 5), np.float32))
    with pytest.raises(ShapeError, match="Conv2D: x is"):
        ops.Conv2D(np.ones((1, 5, 5, 3), np.float32), np.ones((3, 3, 2, 4), np.float32))
    with pytest.raises(ShapeError, match=r"Mul: shapes \(2, 3\) and \(4,\) do not broadcast"):
        ops.Mul(np.ones((2, 3), np.float32), np.ones(4, np.float32))
    with pytest.raises(ShapeError, match=r"Concat: input 1 is \(3, 4\) but input 0 is \(2, 3\)"):
        ops.Concat(np.ones((2, 3), np.float32), np.ones((3, 4), np.float32))
