"""Every differentiable op's VJP against central finite differences in float64.

For a random cotangent v and a random direction d per input, <v, J d> by finite differences must equal
<vjp(v), d>. Inputs stay away from kinks (relu at 0, ties in max) so the derivative exists.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from webgrad import raw_ops as ops
from webgrad.autodiff import gradients
from webgrad.exporter.opset import load_opset, normalize_attrs
from webgrad.raw_ops import REGISTRY
from webgrad.tensor import Variable

RNG = np.random.default_rng(7)
EPS = 1e-6


def rand(*shape: int, scale: float = 1.0) -> np.ndarray:
    return RNG.standard_normal(shape) * scale


def away(*shape: int, gap: float = 0.1, scale: float = 1.0) -> np.ndarray:
    """Random values at least ``gap`` away from 0 (relu, leaky_relu kinks)."""
    x = rand(*shape, scale=scale)
    return np.sign(x) * (np.abs(x) + gap)


def distinct(*shape: int, offset: float = 0.0) -> np.ndarray:
    """Values on a 0.05 grid (+ ``offset``, + noise < 0.01) in random order: no ties for max-like ops."""
    n = int(np.prod(shape))
    return (RNG.permutation(n) * 0.05 - n * 0.025 + offset).reshape(shape) + RNG.random(shape) * 0.01


def positive(*shape: int) -> np.ndarray:
    return RNG.random(shape) + 0.5


# (op, inputs, attrs, case name). Any inputs may be None (absent optional).
Case = tuple[str, list, dict, str]
CASES: list[Case] = []


def case(op: str, inputs: list, name: str, **attrs) -> None:
    CASES.append((op, inputs, attrs, name))


# MatMul: transposes, batch broadcasting (rank-different and size-1 dims), bias, every activation.
case("MatMul", [rand(3, 4), rand(4, 5), rand(5)], "plain")
case("MatMul", [rand(4, 3), rand(4, 5), None], "ta", transpose_a=True)
case("MatMul", [rand(3, 4), rand(5, 4), rand(5)], "tb", transpose_b=True)
case("MatMul", [rand(2, 4, 3), rand(5, 4), rand(5)], "ta_tb_batch", transpose_a=True, transpose_b=True)
case("MatMul", [rand(2, 3, 4), rand(4, 5), rand(5)], "batch_a")
case("MatMul", [rand(2, 1, 3, 4), rand(3, 4, 5), None], "batch_broadcast")
case("MatMul", [rand(3, 4), rand(2, 4, 5), None], "batch_b")
case("MatMul", [rand(1, 3, 4), rand(2, 5, 4), None], "batch_ones_tb", transpose_b=True)
for act in ("relu", "relu6", "leaky_relu", "sigmoid", "tanh", "gelu"):
    case("MatMul", [rand(3, 4), rand(4, 5, scale=1.5), rand(5, scale=2)], f"act_{act}", activation=act)
case("MatMul", [rand(3, 4), rand(4, 5), rand(5)], "leaky_negative_alpha", activation="leaky_relu", alpha=-0.3)

# Conv2D: strides, SAME/VALID/explicit padding, dilation, groups, depthwise (+multiplier), 1x1, activations.
case("Conv2D", [rand(2, 5, 6, 3), rand(3, 3, 3, 4), rand(4)], "valid")
case("Conv2D", [rand(2, 5, 6, 3), rand(3, 2, 3, 4), None], "same_stride", strides=[2, 1], padding="SAME")
case("Conv2D", [rand(1, 7, 7, 2), rand(3, 3, 2, 3), rand(3)], "same_odd", strides=[2, 2], padding="SAME")
case("Conv2D", [rand(1, 5, 6, 2), rand(3, 3, 2, 3), rand(3)], "explicit", padding=[1, 2, 0, 1], strides=[2, 1])
case("Conv2D", [rand(1, 7, 8, 2), rand(2, 3, 2, 2), None], "dilation", dilations=[2, 3], padding="SAME")
case("Conv2D", [rand(2, 5, 5, 4), rand(3, 3, 2, 6), rand(6)], "groups", groups=2, padding="SAME")
case("Conv2D", [rand(2, 5, 5, 3), rand(3, 3, 1, 3), rand(3)], "depthwise", groups=3, padding="SAME")
case(
    "Conv2D",
    [rand(1, 6, 5, 3), rand(3, 2, 1, 6), rand(6)],
    "depthwise_mult",
    groups=3,
    strides=[2, 1],
    padding=[1, 0, 0, 1],
)
case("Conv2D", [rand(2, 4, 4, 3), rand(1, 1, 3, 5), rand(5)], "pointwise")
case("Conv2DTranspose", [rand(2, 3, 4, 3), rand(3, 3, 2, 3), rand(2)], "valid_stride2", strides=[2, 2])
case("Conv2DTranspose", [rand(1, 3, 3, 2), rand(4, 4, 3, 2), None], "same_stride2", strides=[2, 2], padding="SAME")
case("Conv2DTranspose", [rand(1, 3, 3, 2), rand(2, 3, 2, 2), rand(2)], "explicit_dilation_tanh",
     padding=[1, 0, 0, 2], dilations=[2, 1], activation="tanh")
case("Conv2D", [rand(1, 5, 5, 16), rand(3, 3, 16, 2), rand(2)], "wide_rows", padding="SAME")
for act in ("relu", "relu6", "leaky_relu", "sigmoid", "tanh", "gelu"):
    case("Conv2D", [rand(1, 4, 4, 2), rand(2, 2, 2, 3, scale=1.5), rand(3)], f"act_{act}", activation=act)
case("Conv2D", [rand(1, 4, 4, 3), rand(2, 2, 1, 3), rand(3)], "depthwise_gelu", groups=3, activation="gelu")

# Elementwise binary ops with broadcasting.
BROADCASTS = [((2, 3), (2, 3)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((2, 3), ()), ((1, 3), (2, 1))]
for op in ("Add", "Sub", "Mul"):
    for sa, sb in BROADCASTS:
        case(op, [rand(*sa), rand(*sb)], f"{sa}_{sb}")
for sa, sb in BROADCASTS:
    case("Div", [rand(*sa), away(*sb, gap=0.5)], f"{sa}_{sb}")
    for op in ("Maximum", "Minimum"):
        case(op, [distinct(*sa), distinct(*sb, offset=0.025)], f"{sa}_{sb}")  # |a - b| >= 0.015

# Where: the mask broadcast against both branches, and branches broadcast against it.
for sc, sx, sy in [((2, 3), (2, 3), (2, 3)), ((3, 1), (4,), (2, 1, 1)), ((2, 3), (), (3,))]:
    mask = (RNG.random(sc) > 0.5).astype(np.float64)
    case("Where", [mask, rand(*sx), rand(*sy)], f"{sc}_{sx}_{sy}")

# Unary ops.
case("Relu", [away(3, 4)], "random")
case("Abs", [away(3, 4)], "random")
# Below 0, inside (0, 6) and above 6, each at least 0.1 from a kink.
case("Relu6", [RNG.choice([-1.0, 1.0, 3.0, 7.0], (3, 4)) + RNG.uniform(-0.9, 0.9, (3, 4))], "three_regions")
case("LeakyRelu", [away(3, 4)], "default")
case("LeakyRelu", [away(3, 4)], "negative_alpha", alpha=-0.4)
case("Gelu", [rand(3, 4, scale=2)], "exact")
case("Gelu", [rand(3, 4, scale=2)], "approximate", approximate=True)
case("Sigmoid", [rand(3, 4, scale=3)], "random")
case("Tanh", [rand(3, 4, scale=2)], "random")
case("Exp", [rand(3, 4)], "random")
case("Log", [positive(3, 4)], "random")
case("Sqrt", [positive(3, 4)], "random")
for axis in (-1, 0, 1):
    case("Softmax", [rand(2, 3, 4, scale=2)], f"axis{axis}", axis=axis)
    case("LogSoftmax", [rand(2, 3, 4, scale=2)], f"axis{axis}", axis=axis)

# Pools.
POOLS = [
    ((2, 6, 6, 2), {}),
    ((1, 5, 5, 2), {"pool_size": [3, 3], "strides": [2, 2], "padding": "SAME"}),
    ((1, 5, 7, 1), {"padding": "SAME"}),
    ((1, 5, 5, 2), {"pool_size": [3, 3], "strides": [2, 2], "padding": [1, 1, 2, 0]}),
    ((1, 5, 6, 2), {"pool_size": [3, 2], "strides": [1, 1]}),
    ((1, 7, 7, 1), {"strides": [3, 3]}),
]
for i, (shape, attrs) in enumerate(POOLS):
    case("MaxPool2D", [distinct(*shape)], f"pool{i}", **attrs)
    case("AvgPool2D", [rand(*shape)], f"pool{i}", **attrs)
case("GlobalAvgPool", [rand(2, 3, 4, 5)], "random")

# Normalization.
case("BatchNorm", [rand(2, 3, 3, 4), rand(4), rand(4), rand(4), positive(4)], "nhwc")
case("BatchNorm", [rand(5, 3), rand(3), rand(3), rand(3), positive(3)], "rank2", epsilon=1e-5)
case("LayerNorm", [rand(2, 3, 4), rand(4), rand(4)], "last")
case("LayerNorm", [rand(2, 3, 4), rand(3, 4), rand(3, 4)], "axis1", axis=1)
case("LayerNorm", [rand(2, 3, 4), rand(3, 4), rand(3, 4)], "axis_neg2", axis=-2, epsilon=1e-5)

# Data movement.
case("Reshape", [rand(2, 3, 4)], "infer", shape=[0, -1])
case("Reshape", [rand(2, 6)], "explicit", shape=[3, 2, 2])
case("Flatten", [rand(2, 3, 4)], "axis1")
case("Flatten", [rand(2, 3, 4)], "axis_neg", axis=-1)
case("Transpose", [rand(2, 3, 4)], "perm", perm=[2, 0, 1])
case("Concat", [rand(2, 3), rand(2, 1), rand(2, 4)], "last")
case("Concat", [rand(1, 3), rand(2, 3)], "axis0", axis=0)
case("Slice", [rand(4, 5, 6)], "steps", starts=[-4, 0], ends=[-1, 6], axes=[2, 0], steps=[2, 3])
case("Slice", [rand(4, 5)], "clamped", starts=[-100], ends=[100], axes=[1])
case("Pad", [rand(2, 3, 2, 2)], "nhwc", pads=[0, 0, 1, 2, 0, 1, 0, 0], value=0.5)
case("Gather", [rand(5, 3), np.array([0, 4, -1, 4, 2], np.int32)], "repeated_negative")
case("Gather", [rand(2, 5, 3), np.array([[1, -1], [1, 0]], np.int32)], "axis1_2d", axis=1)
case("Gather", [rand(5, 3), np.array(-2, np.int32)], "scalar")

# Reductions.
for op in ("ReduceSum", "ReduceMean", "ReduceMax"):
    make = distinct if op == "ReduceMax" else rand
    case(op, [make(2, 3, 4)], "all")
    case(op, [make(2, 3, 4)], "axis1", axes=[1])
    case(op, [make(2, 3, 4)], "neg_keepdims", axes=[-1], keepdims=True)
    case(op, [make(2, 3, 4)], "two_axes", axes=[0, 2])


def differentiable_inputs(op: str, n: int) -> list[bool]:
    specs = load_opset()["ops"][op]["inputs"]
    return [specs[min(i, len(specs) - 1)]["differentiable"] for i in range(n)]


def fd_check(op: str, inputs: list, attrs: dict, rng: np.random.Generator) -> None:
    impl = REGISTRY[op]
    attrs = normalize_attrs(op, attrs)
    y = impl.forward(inputs, attrs)
    v = rng.standard_normal(y.shape)
    kept = [v.copy(), y.copy(), *(None if x is None else x.copy() for x in inputs)]
    grads = impl.vjp(v, inputs, y, attrs)
    for a, b in zip([v, y, *inputs], kept, strict=True):
        assert a is None or np.array_equal(a, b), f"{op}: the vjp wrote into its cotangent, output or inputs"
    assert len(grads) == len(inputs)
    for i, (x, diff) in enumerate(zip(inputs, differentiable_inputs(op, len(inputs)), strict=True)):
        if x is None or not diff:
            assert grads[i] is None, f"{op} input {i} is absent or not differentiable but got a gradient"
            continue
        assert grads[i].shape == x.shape, f"{op} input {i}: grad shape {grads[i].shape} != {x.shape}"
        assert grads[i].dtype == np.float64, f"{op} input {i}: grad computed in {grads[i].dtype}"
        d = rng.standard_normal(x.shape)
        plus = [a if k != i else x + EPS * d for k, a in enumerate(inputs)]
        minus = [a if k != i else x - EPS * d for k, a in enumerate(inputs)]
        fd = np.sum(v * (impl.forward(plus, attrs) - impl.forward(minus, attrs))) / (2 * EPS)
        an = np.sum(grads[i] * d)
        assert abs(fd - an) <= 1e-6 * max(1.0, abs(fd)), f"{op} input {i}: finite difference {fd} vs vjp {an}"


@pytest.mark.parametrize(("op", "inputs", "attrs", "name"), CASES, ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_vjp_matches_finite_differences(op, inputs, attrs, name):
    fd_check(op, inputs, attrs, np.random.default_rng(len(name) * 31 + len(op)))


def test_every_differentiable_op_has_a_vjp_and_is_checked():
    spec = load_opset()["ops"]
    differentiable = {name for name, s in spec.items() if s["differentiable"]}
    checked = {c[0] for c in CASES}
    missing_vjp = sorted(name for name in differentiable if REGISTRY[name].vjp is None)
    assert not missing_vjp, f"differentiable ops without a vjp: {missing_vjp}"
    assert not differentiable - checked, f"differentiable ops the FD test does not exercise: {differentiable - checked}"
    assert not {name for name, s in spec.items() if not s["differentiable"]} & checked


def test_max_ties_follow_the_op_set():
    attrs = normalize_attrs("ReduceMax", {"axes": [1]})
    x = np.array([[1.0, 3.0, 3.0, 3.0], [2.0, 0.0, 2.0, 1.0]])
    y = REGISTRY["ReduceMax"].forward([x], attrs)
    (dx,) = REGISTRY["ReduceMax"].vjp(np.array([3.0, 1.0]), [x], y, attrs)
    np.testing.assert_array_equal(dx, [[0, 1, 1, 1], [0.5, 0, 0.5, 0]])  # split evenly

    attrs = normalize_attrs("MaxPool2D", {"pool_size": [2, 2], "strides": [1, 1]})
    x = np.array([[5.0, 5.0, 1.0], [5.0, 0.0, 5.0]]).reshape(1, 2, 3, 1)
    y = REGISTRY["MaxPool2D"].forward([x], attrs)
    (dx,) = REGISTRY["MaxPool2D"].vjp(np.array([1.0, 10.0]).reshape(1, 1, 2, 1), [x], y, attrs)
    # Window 0 picks its first 5 (row-major); window 1 also picks its first 5, at (0, 1).
    np.testing.assert_array_equal(dx.reshape(2, 3), [[1, 10, 0], [0, 0, 0]])

    a, b = np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 0.0])
    for op in ("Maximum", "Minimum"):
        out = REGISTRY[op].forward([a, b], {})
        ga, gb = REGISTRY[op].vjp(np.ones(3), [a, b], out, {})
        assert ga[0] == 1 and gb[0] == 0, f"{op}: a tie's gradient goes to a"


def test_gather_indices_get_no_gradient():
    attrs = normalize_attrs("Gather", {})
    data, idx = rand(4, 2), np.array([1, 1, 3], np.int32)
    y = REGISTRY["Gather"].forward([data, idx], attrs)
    ddata, didx = REGISTRY["Gather"].vjp(np.ones_like(y), [data, idx], y, attrs)
    assert didx is None
    np.testing.assert_array_equal(ddata, [[0, 0], [2, 2], [0, 0], [1, 1]])


def _chain(run: Callable, x, w, b, w2) -> float:
    """A small model: conv (tanh) -> max pool -> flatten -> dense (gelu) -> log-softmax -> weighted sum."""
    h = run("Conv2D", [x, w, b], {"padding": "SAME", "strides": [2, 2], "activation": "tanh"})
    h = run("MaxPool2D", [h], {"padding": "SAME"})
    h = run("Flatten", [h], {})
    h = run("MatMul", [h, w2, None], {"activation": "gelu"})
    h = run("LogSoftmax", [h], {})
    return run("ReduceSum", [run("Mul", [h, np.array([0.5, -1.0, 2.0])], {})], {})


def test_autodiff_through_the_dispatcher_matches_finite_differences():
    x = rand(2, 6, 6, 2).astype(np.float32)
    params = [rand(3, 3, 2, 4), rand(4), rand(4 * 2 * 2, 3)]
    tensors = [Variable(p.astype(np.float32), f"p{i}") for i, p in enumerate(params)]

    def eager(op, inputs, attrs):
        inputs = [np.float32(a) if isinstance(a, np.ndarray) and a.dtype == np.float64 else a for a in inputs]
        return ops.apply(op, *inputs, **attrs)

    loss = _chain(eager, x, *tensors[:2], tensors[2])
    grads = gradients(loss, tensors)

    def f64(op, inputs, attrs):
        return REGISTRY[op].forward(inputs, normalize_attrs(op, attrs))

    x64 = x.astype(np.float64)
    base = [t.data.astype(np.float64) for t in tensors]
    for k, g in enumerate(grads):
        assert g.shape == base[k].shape and g.dtype == np.float32
        d = RNG.standard_normal(base[k].shape)
        plus = [p + 1e-6 * d if i == k else p for i, p in enumerate(base)]
        minus = [p - 1e-6 * d if i == k else p for i, p in enumerate(base)]
        fd = (_chain(f64, x64, *plus) - _chain(f64, x64, *minus)) / 2e-6
        np.testing.assert_allclose(np.sum(g * d), fd, rtol=2e-3, atol=1e-4)


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("padding", ["VALID", "SAME", [1, 0, 2, 1]])
def test_col2im_is_the_adjoint_of_im2col(groups, padding):
    from webgrad.raw_ops._window import col2im, im2col, window

    x = rand(2, 5, 6, 4)
    win = window("test", (5, 6), (3, 2), (2, 1), padding, (1, 2))
    cols = im2col(x, win, groups)
    c = RNG.standard_normal(cols.shape)
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * col2im(c, win, x.shape, groups)), rtol=1e-12)
