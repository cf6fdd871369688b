"""The wasm gradient kernels (``wasm_kernels/src/grad/``, TRAIN.md's gradient ops) through wasmtime.

Every case of ``tests/vectors/grad/<Op>.json`` on both builds (SIMD128 and relaxed SIMD) within the op's
tolerance (skipped, naming the file, while a vector file is missing), then targeted checks against the
Python VJPs (``authoring/raw_ops/*.py``, the oracle the vectors come from): Conv2D backprop over padding,
strides, dilations, groups, depthwise and pixel counts that span several GEMM chunks; pools with ties
and overlapping windows; every activation; the reductions' ties and NaN; error codes and scratch.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("wasmtime", reason="wasmtime is not installed (pip install -e '.[dev]')")

import wasm_harness as wh
from compare import assert_close

from webgrad.exporter.opset import normalize_attrs
from webgrad.exporter.vectors import decode
from webgrad.raw_ops import REGISTRY
from webgrad.raw_ops._activation import activation_grad

GRAD_VECTOR_DIR = Path(__file__).parent / "vectors" / "grad"
RNG = np.random.default_rng(15)


@pytest.fixture(scope="module", params=wh.VARIANTS)
def k(request) -> wh.Kernels:
    path = wh.WASM_DIR / request.param
    assert path.is_file(), f"{path} is missing: run python wasm_kernels/build.py"
    return wh.Kernels(path)


def vjp(op: str, inputs: list, attrs: dict, g: np.ndarray) -> list:
    """The Python VJP of forward op ``op`` (the numpy oracle)."""
    attrs = normalize_attrs(op, dict(attrs))
    impl = REGISTRY[op]
    with np.errstate(all="ignore"):
        y = impl.forward(inputs, attrs)
        return impl.vjp(g, inputs, y, attrs)


def forward(op: str, inputs: list, attrs: dict) -> np.ndarray:
    with np.errstate(all="ignore"):
        return REGISTRY[op].forward(inputs, normalize_attrs(op, dict(attrs)))


def rand(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


# ---------------------------------------------------------------- shared gradient vectors


def _vector_cases() -> list:
    cases = []
    for op in wh.GRAD_OPS:
        path = GRAD_VECTOR_DIR / f"{op}.json"
        if not path.is_file():
            cases.append(pytest.param(op, None, id=f"{op}/missing"))
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        cases += [pytest.param(op, c, id=f"{op}/{c['name']}") for c in doc["cases"]]
    return cases


@pytest.mark.parametrize(("op", "case"), _vector_cases())
def test_grad_vectors(k, op, case):
    if case is None:
        pytest.skip(f"{GRAD_VECTOR_DIR / op}.json is missing (python -m webgrad.exporter.vectors writes it)")
    inputs = [None if t is None else decode(t) for t in case["inputs"]]
    want = decode(case["expected"][0])
    with np.errstate(all="ignore"):
        got = wh.run_grad(k, op, inputs, case["attrs"])
    tol = case["tolerance"]
    assert_close(got, want, tol["rtol"], tol["atol"], f"{op}/{case['name']}")


def test_every_grad_op_has_an_export(k):
    missing = [op for op in wh.GRAD_OPS if f"wg_{op}" not in k.exports]
    assert not missing, f"{k.path.name} lacks {missing}"


# ---------------------------------------------------------------- Conv2D backprop

CONV_CASES = [
    ((2, 9, 9, 3), (3, 3, 3, 8), {}),
    ((3, 12, 12, 1), (3, 3, 1, 32), {}),  # the MNIST CNN's first layer: taps of one channel
    ((2, 10, 11, 5), (3, 3, 5, 7), {"strides": [2, 2], "padding": "SAME"}),
    ((1, 12, 10, 6), (3, 2, 6, 9), {"dilations": [2, 1], "padding": [1, 2, 0, 1]}),
    ((2, 5, 5, 8), (1, 1, 8, 4), {}),
    ((2, 7, 7, 6), (3, 3, 2, 9), {"groups": 3, "padding": "SAME"}),
    ((2, 8, 8, 13), (3, 3, 1, 13), {"groups": 13, "padding": "SAME"}),
    ((1, 6, 6, 4), (3, 3, 1, 8), {"groups": 4, "strides": [2, 2]}),
    ((8, 20, 20, 16), (3, 3, 16, 24), {}),  # 2592 pixels: many chunks of the GEMM
    ((1, 1, 1, 7), (1, 1, 7, 3), {}),  # one pixel: the GEMV path
]


@pytest.mark.parametrize(("x_shape", "w_shape", "attrs"), CONV_CASES, ids=[str(c[:2]) for c in CONV_CASES])
def test_conv2d_backprop(k, x_shape, w_shape, attrs):
    x, w = rand(*x_shape), rand(*w_shape)
    fwd = {"strides": [1, 1], "padding": "VALID", "dilations": [1, 1], "groups": 1, **attrs}
    y = forward("Conv2D", [x, w, None], fwd)
    g = rand(*y.shape)
    dx, dw, _ = vjp("Conv2D", [x, w, None], fwd, g)
    got_dx = wh.run_grad(k, "Conv2DBackpropInput", [g, w, x], fwd)
    got_dw = wh.run_grad(k, "Conv2DBackpropFilter", [x, g, w], fwd)
    scale = float(np.sqrt(g.shape[0] * g.shape[1] * g.shape[2]))
    assert_close(got_dx, dx, 1e-4, 1e-5 * scale, f"dx {x_shape} {w_shape} {attrs}")
    assert_close(got_dw, dw, 1e-4, 1e-5 * scale, f"dw {x_shape} {w_shape} {attrs}")


def test_conv2d_backprop_scratch_and_errors(k):
    x, w = rand(2, 9, 9, 4), rand(3, 3, 4, 5)
    g = rand(2, 7, 7, 5)
    mark = k("wg_mark")
    wh.run_grad(k, "Conv2DBackpropFilter", [x, g, w], {})
    wh.run_grad(k, "Conv2DBackpropInput", [g, w, x], {})
    wh.run_grad(k, "ReduceMaxGrad", [g[:, :1], g, g.max(axis=1, keepdims=True)], {"axes": [1], "keepdims": True})
    wh.run_grad(k, "BatchNormGrad", [g, g, w[0, 0, 0], w[0, 0, 1], np.abs(w[0, 0, 2])], {"wrt": "scale"})
    assert k("wg_mark") == mark, "the kernels give their scratch back"
    with k.scope():
        fields = wh.conv2d_fields(x.shape, w.shape, {"strides": [1, 1], "padding": "VALID", "dilations": [1, 1],
                                                     "groups": 1, "activation": "relu", "alpha": 0.0})
        p = k.params("conv2d", **fields)  # a fused activation makes no sense for the backprop ops
        assert k("wg_Conv2DBackpropInput", k.put(g), k.put(w), k.empty(x.shape), p) == -2
        assert k("wg_Conv2DBackpropFilter", k.put(x), k.put(g), k.empty(w.shape), p) == -2


# ---------------------------------------------------------------- pools


POOL_CASES = [
    {"pool_size": [2, 2], "strides": [2, 2], "padding": "VALID"},
    {"pool_size": [3, 3], "strides": [2, 2], "padding": "SAME"},
    {"pool_size": [3, 3], "strides": [1, 1], "padding": [1, 1, 1, 1]},
    {"pool_size": [2, 3], "strides": [1, 2], "padding": "VALID"},
]


@pytest.mark.parametrize("attrs", POOL_CASES, ids=[str(a) for a in POOL_CASES])
@pytest.mark.parametrize("op", ["MaxPool2D", "AvgPool2D"])
def test_pool_grads(k, op, attrs):
    x = RNG.integers(-3, 4, (2, 9, 8, 7)).astype(np.float32)  # many ties: the first maximum takes g
    y = forward(op, [x], attrs)
    g = rand(*y.shape)
    (want,) = vjp(op, [x], attrs, g)
    got = wh.run_grad(k, f"{op}Grad", [g, x], attrs)
    assert_close(got, want, 1e-6, 1e-6, f"{op}Grad {attrs}")


# ---------------------------------------------------------------- elementwise and normalization


@pytest.mark.parametrize(("act", "alpha", "approximate"), [
    ("none", 0.2, False), ("relu", 0.2, False), ("relu6", 0.2, False), ("leaky_relu", 0.2, False),
    ("leaky_relu", -0.5, False), ("sigmoid", 0.2, False), ("tanh", 0.2, False), ("gelu", 0.2, False),
    ("gelu", 0.2, True),
])
def test_activation_grad(k, act, alpha, approximate):
    x = np.concatenate([rand(37) * 4, np.array([0.0, 6.0, -6.0, 3.0, -0.0], np.float32)])
    if act == "gelu":
        y = forward("Gelu", [x], {"approximate": approximate})
    elif act == "none":
        y = x.copy()
    else:
        one = np.ones((1, 1), np.float32)
        y = forward("MatMul", [x[:, None], one, None], {"activation": act, "alpha": alpha})[:, 0]
    g = rand(x.size)
    name = "gelu_tanh" if act == "gelu" and approximate else act
    want = activation_grad(g, y, name, alpha, pre=x).astype(np.float32)
    got = wh.run_grad(k, "ActivationGrad", [g, x, y], {"activation": act, "alpha": alpha, "approximate": approximate})
    assert_close(got, want, 1e-4, 1e-6, f"{act} alpha={alpha} approximate={approximate}")


@pytest.mark.parametrize(("op", "shape", "axis"), [
    ("Softmax", (4, 10), -1), ("Softmax", (3, 5, 6), 1), ("LogSoftmax", (4, 10), -1), ("LogSoftmax", (2, 7, 3), 0),
])
def test_softmax_grads(k, op, shape, axis):
    x = rand(*shape)
    y = forward(op, [x], {"axis": axis})
    g = rand(*shape)
    (want,) = vjp(op, [x], {"axis": axis}, g)
    assert_close(wh.run_grad(k, f"{op}Grad", [g, y], {"axis": axis}), want, 1e-5, 1e-6, f"{op} {shape} {axis}")


@pytest.mark.parametrize("axis", [-1, -2, 1])
def test_layer_norm_grad(k, axis):
    x = rand(3, 4, 6) * 2 + 1
    gshape = x.shape[axis % 3:]
    gamma, beta = rand(*gshape), rand(*gshape)
    attrs = {"axis": axis, "epsilon": 1e-3}
    g = rand(*x.shape)
    want = vjp("LayerNorm", [x, gamma, beta], attrs, g)
    for i, wrt in enumerate(("x", "gamma", "beta")):
        got = wh.run_grad(k, "LayerNormGrad", [g, x, gamma], {**attrs, "wrt": wrt})
        assert_close(got, want[i].astype(np.float32), 1e-4, 1e-5, f"LayerNorm axis={axis} wrt={wrt}")


def test_batch_norm_grad(k):
    x = rand(2, 5, 5, 7)
    scale, bias, mean = rand(7), rand(7), rand(7)
    var = np.abs(rand(7)) + 0.1
    g = rand(*x.shape)
    want = vjp("BatchNorm", [x, scale, bias, mean, var], {"epsilon": 1e-3}, g)
    for i, wrt in enumerate(("x", "scale", "bias")):
        got = wh.run_grad(k, "BatchNormGrad", [g, x, scale, mean, var], {"epsilon": 1e-3, "wrt": wrt})
        assert_close(got, want[i].astype(np.float32), 1e-4, 1e-5, f"BatchNorm wrt={wrt}")


# ---------------------------------------------------------------- data movement and reductions


@pytest.mark.parametrize("attrs", [
    {"starts": [1], "ends": [4], "axes": [1], "steps": []},
    {"starts": [-2, 0], "ends": [10, 5], "axes": [0, 2], "steps": [1, 2]},
    {"starts": [0, 1, 1], "ends": [2, 6, 3], "axes": [], "steps": [1, 2, 1]},
])
def test_slice_grad(k, attrs):
    x = rand(3, 6, 5)
    y = forward("Slice", [x], attrs)
    g = rand(*y.shape)
    (want,) = vjp("Slice", [x], attrs, g)
    assert_close(wh.run_grad(k, "SliceGrad", [g, x], attrs), want, 0, 0, f"SliceGrad {attrs}")


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_gather_grad(k, axis):
    data = rand(5, 4, 3)
    n = data.shape[axis]
    idx = np.array([[0, n - 1, -1], [1, 1, 0]], np.int32)  # repeats add, negatives count from the end
    y = forward("Gather", [data, idx], {"axis": axis})
    g = rand(*y.shape)
    want, _ = vjp("Gather", [data, idx], {"axis": axis}, g)
    assert_close(wh.run_grad(k, "GatherGrad", [g, idx, data], {"axis": axis}), want.astype(np.float32), 1e-5, 1e-6,
                 f"GatherGrad axis={axis}")
    with pytest.raises(wh.KernelError):
        wh.run_grad(k, "GatherGrad", [g, np.full(idx.shape, n, np.int32), data], {"axis": axis})


@pytest.mark.parametrize(("axes", "keepdims"), [(None, False), ([1], True), ([0, 2], False), ([-1], False)])
def test_reduce_max_grad(k, axes, keepdims):
    x = RNG.integers(-2, 3, (4, 5, 6)).astype(np.float32)  # ties split g evenly
    x[0, 0, 0] = np.nan  # a NaN max: its group's gradient is NaN
    attrs = {"axes": axes, "keepdims": keepdims}
    y = forward("ReduceMax", [x], attrs)
    g = rand(*y.shape)
    (want,) = vjp("ReduceMax", [x], attrs, g)
    assert_close(wh.run_grad(k, "ReduceMaxGrad", [g, x, y], attrs), want.astype(np.float32), 1e-6, 1e-7,
                 f"ReduceMaxGrad {attrs}")


@pytest.mark.parametrize("op", ["Maximum", "Minimum"])
@pytest.mark.parametrize(("sa", "sb"), [((4, 5), (4, 5)), ((3, 1, 5), (4, 1)), ((), (2, 3))])
def test_max_min_grad(k, op, sa, sb):
    a = RNG.integers(-2, 3, sa).astype(np.float32)
    b = RNG.integers(-2, 3, sb).astype(np.float32)
    if a.ndim:
        a.flat[0] = np.nan
    y = forward(op, [a, b], {})
    g = rand(*y.shape)
    to_a = (a >= b) if op == "Maximum" else (a <= b)
    for side, want in (("a", g * to_a), ("b", g * ~to_a)):
        got = wh.run_grad(k, "MaxMinGrad", [g, a, b], {"op": op[:3].lower(), "side": side})
        assert_close(got, want.astype(np.float32), 0, 0, f"{op} side {side} {sa} {sb}")


@pytest.mark.parametrize(("sg", "sl"), [((4, 5), (5,)), ((2, 3, 4), (3, 1)), ((6, 7), (1, 1)), ((3, 4), (3, 4)),
                                         ((2, 1, 9), ())])
def test_sum_to(k, sg, sl):
    g, like = rand(*sg), np.zeros(sl, np.float32)
    lead = g.ndim - like.ndim
    axes = tuple(range(lead)) + tuple(lead + d for d, n in enumerate(sl) if n == 1 and sg[lead + d] != 1)
    want = g.sum(axis=axes, keepdims=True).reshape(sl) if axes else g.reshape(sl)
    assert_close(wh.run_grad(k, "SumTo", [g, like], {}), want, 1e-5, 1e-5, f"SumTo {sg} -> {sl}")


@pytest.mark.parametrize(("op", "axes", "keepdims"), [
    ("ReduceSum", [1], False), ("ReduceMean", [0, 2], True), ("ReduceMean", None, False), ("ReduceSum", [-1], True),
])
def test_broadcast_like(k, op, axes, keepdims):
    x = rand(3, 4, 5)
    attrs = {"axes": axes, "keepdims": keepdims}
    y = forward(op, [x], attrs)
    g = rand(*y.shape)
    (want,) = vjp(op, [x], attrs, g)
    got = wh.run_grad(k, "BroadcastLike", [g, x], {**attrs, "mean": op == "ReduceMean"})
    assert_close(got, np.asarray(want, np.float32), 1e-6, 1e-7, f"BroadcastLike {op} {attrs}")


def test_reshape_like(k):
    g = rand(2, 3, 4)
    assert_close(wh.run_grad(k, "ReshapeLike", [g, np.zeros((6, 4), np.float32)], {}), g.reshape(6, 4), 0, 0, "")


def test_max_pool_grad_special_values(k):
    """A NaN in a window routes its g nowhere; an infinite g makes NaN at the window's misses (g * 0), in the
    vector lanes and in the scalar tail channels alike."""
    attrs = {"pool_size": [2, 2], "strides": [1, 1], "padding": "VALID"}
    x = RNG.integers(-2, 3, (1, 4, 4, 6)).astype(np.float32)
    x[0, 1, 1, [0, 5]] = np.nan
    g = rand(1, 3, 3, 6)
    g[0, 2, 2, [1, 4]] = np.inf
    (want,) = vjp("MaxPool2D", [x], attrs, g)
    assert_close(wh.run_grad(k, "MaxPool2DGrad", [g, x], attrs), want, 1e-6, 1e-6, "special values")
