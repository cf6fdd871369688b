"""The WebAssembly-SIMD kernels (js_runtime/wasm/*.wasm, built from wasm_kernels/) run through wasmtime.

Every shared op test vector on both builds (SIMD128 and relaxed SIMD), then targeted checks against
the numpy reference: GEMM on odd sizes with transposes and fused activations, packed vs unpacked B,
Conv2D over padding/stride/dilation/groups, the math functions' accuracy, broadcasting, reductions,
data movement, float16, the bump allocator and the error codes.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("wasmtime", reason="wasmtime is not installed (pip install -e '.[dev]')")

import wasm_harness as wh
from compare import assert_close

from webgrad import raw_ops as ops
from webgrad.exporter.opset import op_names
from webgrad.exporter.vectors import decode

VECTOR_DIR = Path(__file__).parent / "vectors"
ACTS = wh.ACTIVATIONS


@pytest.fixture(scope="module", params=wh.VARIANTS)
def k(request) -> wh.Kernels:
    path = wh.WASM_DIR / request.param
    assert path.is_file(), f"{path} is missing: run python wasm_kernels/build.py"
    return wh.Kernels(path)


def ref(op: str, *inputs, **attrs) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(ops.apply(op, *inputs, **attrs).data)


# ---------------------------------------------------------------- shared vectors and coverage


def _vector_cases() -> list:
    cases = []
    for op in op_names():
        doc = json.loads((VECTOR_DIR / f"{op}.json").read_text(encoding="utf-8"))
        cases += [pytest.param(op, c, id=f"{op}/{c['name']}") for c in doc["cases"]]
    return cases


@pytest.mark.parametrize(("op", "case"), _vector_cases())
def test_shared_vectors(k, op, case):
    inputs = [None if t is None else decode(t) for t in case["inputs"]]
    want = decode(case["expected"][0])
    with np.errstate(all="ignore"):
        got = wh.run_op(k, op, inputs, case["attrs"])
    tol = case["tolerance"]
    assert_close(got, want, tol["rtol"], tol["atol"], f"{op}/{case['name']}")


def _vector_rejects() -> list:
    rejects = []
    for op in op_names():
        doc = json.loads((VECTOR_DIR / f"{op}.json").read_text(encoding="utf-8"))
        rejects += [pytest.param(op, r, id=f"{op}/{r['name']}") for r in doc.get("rejects", [])]
    return rejects


@pytest.mark.parametrize(("op", "reject"), _vector_rejects())
def test_shared_vector_rejects(k, op, reject):
    """Inputs the op set's shape rule refuses never reach a kernel (the harness runs the rule first)."""
    inputs = [None if t is None else decode(t) for t in reject["inputs"]]
    with pytest.raises(ops.ShapeError, match=op):
        wh.run_op(k, op, inputs, reject["attrs"])


def test_every_op_has_an_export(k):
    missing = [op for op in op_names() if f"wg_{op}" not in k.exports]
    assert not missing, f"ops without a wg_<Op> export in {k.path.name}: {missing}"
    for name in ("wg_alloc", "wg_mark", "wg_reset", "wg_pack_b", "wg_packed_b_size", "wg_pack_conv2d",
                 "wg_conv2d_packed_size", "wg_abi_version", "wg_relaxed", "wg_heap_base"):
        assert name in k.exports, name


def test_build_flags_and_info(k):
    assert k("wg_abi_version") == 1
    assert k("wg_relaxed") == int("relaxed" in k.path.name)
    info = json.loads((wh.WASM_DIR / "BUILD-INFO.json").read_text())
    assert sorted(["memory", *k.exports]) == info["exports"]
    assert not list(k.module.imports), "the kernels must not import anything (freestanding)"


# ---------------------------------------------------------------- GEMM


def _matmul_case(rng, M, N, K, ta, tb, bias, act):
    a = rng.standard_normal((K, M) if ta else (M, K)).astype(np.float32)
    b = rng.standard_normal((N, K) if tb else (K, N)).astype(np.float32)
    c = rng.standard_normal(N).astype(np.float32) if bias else None
    attrs = {"transpose_a": ta, "transpose_b": tb, "activation": act, "alpha": 0.1}
    return [a, b, c], attrs


def test_gemm_odd_sizes(k):
    """M, N, K over 1..70 (every MR/NR remainder, K = 0 too), all transposes, packed and not, fused activations."""
    rng = np.random.default_rng(1)
    ms = (1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 29, 64, 70)
    ns = (1, 2, 3, 7, 8, 9, 15, 16, 17, 33, 64, 70)
    ks = (0, 1, 2, 5, 8, 31, 70)
    flags = list(itertools.product((False, True), (False, True), (False, True)))
    for i, (M, N, K) in enumerate(itertools.product(ms, ns, ks)):
        ta, tb, packed = flags[i % len(flags)]
        act = ACTS[i % len(ACTS)]
        inputs, attrs = _matmul_case(rng, M, N, K, ta, tb, i % 3 != 0, act)
        got = wh.run_op(k, "MatMul", inputs, attrs, packed=packed)
        assert_close(got, ref("MatMul", *inputs, **attrs), 1e-4, 1e-5, f"MatMul {M}x{N}x{K} {attrs} packed={packed}")


@pytest.mark.parametrize("act", ACTS)
def test_gemm_fused_activations(k, act):
    rng = np.random.default_rng(2)
    for M, N, K in ((1, 37, 29), (13, 37, 29), (64, 70, 65)):
        for ta, tb, packed in itertools.product((False, True), repeat=3):
            inputs, attrs = _matmul_case(rng, M, N, K, ta, tb, True, act)
            inputs = [x * 2 for x in inputs]  # wide enough to reach relu6's 6 and sigmoid's tails
            got = wh.run_op(k, "MatMul", inputs, attrs, packed=packed)
            assert_close(got, ref("MatMul", *inputs, **attrs), 1e-4, 1e-5, f"{act} {M}x{N}x{K} ta={ta} tb={tb}")


def test_packed_and_unpacked_b_agree_exactly(k):
    """Pre-packed weights, per-call packing and reading B in place all do the same arithmetic."""
    rng = np.random.default_rng(3)
    for M in (1, 4, 10, 11, 40):  # in place up to 2*MR rows, packed into scratch beyond
        for tb in (False, True):
            inputs, attrs = _matmul_case(rng, M, 53, 47, False, tb, True, "relu")
            a = wh.run_op(k, "MatMul", inputs, attrs, packed=False)
            b = wh.run_op(k, "MatMul", inputs, attrs, packed=True)
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("a_shape", "b_shape", "ta", "tb"),
    [
        ((2, 3, 7, 5), (5, 9), False, False),  # batch folded into M
        ((2, 1, 7, 5), (3, 5, 9), False, False),  # both broadcast
        ((7, 5), (4, 5, 9), False, False),  # batch from b only
        ((2, 5, 7), (2, 9, 5), True, True),
        ((3, 2, 7, 5), (2, 5, 9), False, False),
        ((2, 2, 2, 3, 4), (2, 1, 2, 4, 3), False, False),  # rank 5, broadcast in the middle
        ((2, 5, 7), (5, 9), True, False),  # transposed a: no folding
    ],
)
def test_matmul_batch_broadcast(k, a_shape, b_shape, ta, tb):
    rng = np.random.default_rng(4)
    a = rng.standard_normal(a_shape).astype(np.float32)
    b = rng.standard_normal(b_shape).astype(np.float32)
    bias = rng.standard_normal(b_shape[-2] if tb else b_shape[-1]).astype(np.float32)
    attrs = {"transpose_a": ta, "transpose_b": tb, "activation": "tanh"}
    want = ref("MatMul", a, b, bias, **attrs)
    for packed in (False, True):
        assert_close(wh.run_op(k, "MatMul", [a, b, bias], attrs, packed=packed), want, 1e-4, 1e-5, f"packed={packed}")


def test_gemv_one_row(k):
    """The M = 1 path (panels streamed 3 / 2 / 1 at a time, K in steps plus a tail): wide N, every
    remainder of 3 panels, transposed A, a batch of B matrices (M = 1 per batch), a 1-pixel Conv2D."""
    rng = np.random.default_rng(8)
    for i, (N, K) in enumerate(((200, 123), (24, 64), (40, 7), (57, 130), (10, 256), (512, 3))):
        for ta, tb, packed in itertools.product((False, True), repeat=3):
            act = ACTS[(i + ta + 2 * tb) % len(ACTS)]
            inputs, attrs = _matmul_case(rng, 1, N, K, ta, tb, packed or N % 2 == 0, act)
            got = wh.run_op(k, "MatMul", inputs, attrs, packed=packed)
            assert_close(got, ref("MatMul", *inputs, **attrs), 1e-4, 1e-5, f"1x{N}x{K} {attrs} packed={packed}")
    a = rng.standard_normal((3, 1, 37)).astype(np.float32)
    b = rng.standard_normal((3, 37, 29)).astype(np.float32)
    bias = rng.standard_normal(29).astype(np.float32)
    attrs = {"transpose_a": False, "transpose_b": False, "activation": "gelu"}
    for packed in (False, True):
        assert_close(wh.run_op(k, "MatMul", [a, b, bias], attrs, packed=packed), ref("MatMul", a, b, bias, **attrs),
                     1e-4, 1e-5, f"batched M = 1 packed={packed}")
    x = rng.standard_normal((1, 3, 3, 5)).astype(np.float32)
    w = rng.standard_normal((3, 3, 5, 27)).astype(np.float32)
    attrs = {"strides": [1, 1], "padding": "VALID", "dilations": [1, 1], "groups": 1}
    for packed in (False, True):
        assert_close(wh.run_op(k, "Conv2D", [x, w, bias[:27]], attrs, packed=packed),
                     ref("Conv2D", x, w, bias[:27], **attrs), 1e-4, 1e-5, f"1-pixel Conv2D packed={packed}")


def test_matmul_large_k_and_m_blocks(k):
    """Several row blocks of packed A (A_BLOCK_FLOATS) and a K past one L2 block."""
    rng = np.random.default_rng(5)
    a = rng.standard_normal((130, 700)).astype(np.float32)
    b = rng.standard_normal((700, 45)).astype(np.float32)
    got = wh.run_op(k, "MatMul", [a, b, None], {})
    want = (a.astype(np.float64) @ b.astype(np.float64)).astype(np.float32)
    assert_close(got, want, 1e-4, 1e-4, "130x700x45")


# ---------------------------------------------------------------- Conv2D


def _conv_cases():
    rng = np.random.default_rng(6)
    for (kh, kw), padding, strides, dil, kind in itertools.product(
        ((1, 1), (3, 3), (2, 3)),
        ("VALID", "SAME", [1, 0, 2, 1]),
        ((1, 1), (2, 2), (1, 2)),
        ((1, 1), (2, 1)),
        ("dense", "groups2", "depthwise", "depthwise_mult2"),
    ):
        c = 4
        groups, o = {"dense": (1, 5), "groups2": (2, 6), "depthwise": (c, c), "depthwise_mult2": (c, 2 * c)}[kind]
        x = rng.standard_normal((2, 7, 6, c)).astype(np.float32)
        w = rng.standard_normal((kh, kw, c // groups, o)).astype(np.float32)
        bias = rng.standard_normal(o).astype(np.float32)
        attrs = {"strides": list(strides), "padding": padding, "dilations": list(dil), "groups": groups}
        yield x, w, bias, attrs


def test_conv2d_padding_stride_dilation_groups(k):
    n = 0
    for x, w, bias, attrs in _conv_cases():
        want = ref("Conv2D", x, w, bias, **attrs)
        for packed in (False, True):
            got = wh.run_op(k, "Conv2D", [x, w, bias], attrs, packed=packed)
            assert_close(got, want, 1e-4, 1e-5, f"Conv2D {w.shape} {attrs} packed={packed}")
            n += 1
    assert n == 3 * 3 * 3 * 2 * 4 * 2


@pytest.mark.parametrize("act", ACTS)
def test_conv2d_fused_activation_and_no_bias(k, act):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 9, 8, 3)).astype(np.float32) * 2
    for w_shape, groups in (((3, 3, 3, 7), 1), ((3, 3, 1, 3), 3)):
        w = rng.standard_normal(w_shape).astype(np.float32)
        for bias in (None, rng.standard_normal(w_shape[-1]).astype(np.float32)):
            attrs = {"activation": act, "alpha": 0.3, "padding": "SAME", "groups": groups}
            got = wh.run_op(k, "Conv2D", [x, w, bias], attrs)
            assert_close(got, ref("Conv2D", x, w, bias, **attrs), 1e-4, 1e-5, f"{act} {w_shape}")


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("padding", ["SAME", "VALID", [2, 0, 0, 1]])
def test_depthwise_3x3_fast_path(k, stride, padding):
    """Interior windows take the unrolled 9-tap path, borders the clipped one; 13 channels = 3 vectors + 1."""
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 11, 10, 13)).astype(np.float32)
    w = rng.standard_normal((3, 3, 1, 13)).astype(np.float32)
    bias = rng.standard_normal(13).astype(np.float32)
    attrs = {"strides": [stride, stride], "padding": padding, "groups": 13, "activation": "relu6"}
    assert_close(wh.run_op(k, "Conv2D", [x, w, bias], attrs), ref("Conv2D", x, w, bias, **attrs), 1e-4, 1e-5, "dw")


def test_conv2d_pointwise_and_large(k):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 12, 12, 24)).astype(np.float32)
    for w_shape, attrs in (((1, 1, 24, 40), {}), ((3, 3, 24, 33), {"padding": "SAME"}),
                           ((1, 1, 24, 16), {"strides": [2, 2]})):
        w = rng.standard_normal(w_shape).astype(np.float32)
        for packed in (False, True):
            got = wh.run_op(k, "Conv2D", [x, w, None], attrs, packed=packed)
            assert_close(got, ref("Conv2D", x, w, None, **attrs), 1e-4, 1e-4, f"{w_shape} {attrs}")


# ---------------------------------------------------------------- math, elementwise, broadcasting


def _unary(k, name, x, *extra):
    with k.scope():
        px, py = k.put(x), k.empty(x.shape)
        k.check(name, px, py, x.size, *extra)
        return k.get(py, x.shape)


def _ulps(got, want64):
    spacing = np.spacing(np.abs(want64.astype(np.float32))).astype(np.float64)
    return np.abs(got.astype(np.float64) - want64) / spacing


def test_math_accuracy(k):
    from scipy.special import erf, expit

    x = np.linspace(-87, 88, 20001, dtype=np.float32)
    assert _ulps(_unary(k, "wg_Exp", x), np.exp(x.astype(np.float64))).max() <= 2
    x = np.exp(np.linspace(-87, 88, 20001)).astype(np.float32)
    assert _ulps(_unary(k, "wg_Log", x), np.log(x.astype(np.float64))).max() <= 2
    x = np.linspace(-10, 10, 20001, dtype=np.float32)
    assert _ulps(_unary(k, "wg_Tanh", x), np.tanh(x.astype(np.float64))).max() <= 2
    x = np.linspace(-30, 30, 20001, dtype=np.float32)
    assert _ulps(_unary(k, "wg_Sigmoid", x), expit(x.astype(np.float64))).max() <= 3
    x = np.linspace(-6, 6, 20001, dtype=np.float32)
    xd = x.astype(np.float64)
    gelu = xd * 0.5 * (1 + erf(xd / math.sqrt(2)))
    assert np.abs(_unary(k, "wg_Gelu", x, 0) - gelu).max() <= 2e-6
    gelu_tanh = xd * expit(2 * math.sqrt(2 / math.pi) * (xd + 0.044715 * xd**3))
    assert np.abs(_unary(k, "wg_Gelu", x, 1) - gelu_tanh).max() <= 1e-6
    tiny = np.array([1e-40, 1e-45, 3e-39], np.float32)  # subnormal inputs of log
    np.testing.assert_allclose(_unary(k, "wg_Log", tiny), np.log(tiny.astype(np.float64)), rtol=1e-6)


def test_gelu_is_relatively_accurate_in_the_tails(k):
    """x * Phi(x) to ~5e-7 relative down to x = -13 (result ~1e-38): Phi comes from erfc for x < 0, with
    the exp(-x^2/2) argument exact. The erf form lost it: 35% off at x = -5, 0 below x = -5.6."""
    from scipy.special import erfc, expit

    x = np.concatenate([np.linspace(-13, 13, 52001), -np.geomspace(1e-30, 1, 301), np.geomspace(1e-30, 1, 301)])
    x = x.astype(np.float32)
    xd = x.astype(np.float64)
    exact = xd * 0.5 * erfc(-xd / math.sqrt(2))
    got = _unary(k, "wg_Gelu", x, 0).astype(np.float64)
    rel = np.abs(got - exact) / np.abs(exact).clip(1e-300)
    assert rel.max() <= 1e-6, f"exact Gelu: {rel.max():.2e} relative at x = {x[rel.argmax()]}"
    approx = xd * expit(2 * math.sqrt(2 / math.pi) * (xd + 0.044715 * xd**3))
    normal = np.abs(approx) >= np.finfo(np.float32).tiny  # below: subnormal results, flushed by some engines
    got = _unary(k, "wg_Gelu", x, 1).astype(np.float64)
    rel = (np.abs(got - approx) / np.abs(approx).clip(1e-300))[normal]
    assert rel.max() <= 3e-5, f"tanh Gelu: {rel.max():.2e} relative at x = {x[normal][rel.argmax()]}"
    ends = np.array([-np.inf, np.inf, -0.0], np.float32)
    np.testing.assert_array_equal(_unary(k, "wg_Gelu", ends, 0), [0, np.inf, 0])


def test_empty_axis_semantics(k):
    """The op set's 'empty' fields on the kernels: reductions give their identities, softmax an empty
    output, and ArgMax over a size-0 axis is refused by the shape rule (run_op applies it) and, should
    a caller skip it, by the kernel itself (never index 0)."""
    x = np.zeros((2, 0, 3), np.float32)
    for op, want in (("ReduceSum", 0.0), ("ReduceMean", np.nan), ("ReduceMax", -np.inf)):
        np.testing.assert_array_equal(wh.run_op(k, op, [x], {"axes": [1]}), np.full((2, 3), want, np.float32), op)
    for op in ("Softmax", "LogSoftmax"):
        assert wh.run_op(k, op, [x], {"axis": 1}).shape == (2, 0, 3)
    with pytest.raises(ops.ShapeError, match=r"ArgMax: axis 1 of x .* has size 0"):
        wh.run_op(k, "ArgMax", [x], {"axis": 1})
    with k.scope(), pytest.raises(wh.KernelError, match="wg_ArgMax returned"):
        k.check("wg_ArgMax", k.put(x), k.empty((2, 3), np.int32), 2, 0, 3)


@pytest.mark.parametrize("op", ["Relu", "Relu6", "LeakyRelu", "Gelu", "Sigmoid", "Tanh", "Exp", "Log", "Sqrt"])
def test_unary_lengths_and_in_place(k, op):
    rng = np.random.default_rng(10)
    for n in (0, 1, 3, 4, 5, 8, 9, 17):
        x = (rng.standard_normal(n) * 3).astype(np.float32)
        if op in ("Log", "Sqrt"):
            x = np.abs(x) + 0.1
        want = ref(op, x)
        assert_close(wh.run_op(k, op, [x], {}), want, 1e-5, 1e-6, f"{op} n={n}")
        extra = {"LeakyRelu": (0.2,), "Gelu": (0,)}.get(op, ())
        with k.scope():  # y == x
            p = k.put(x)
            k.check(f"wg_{op}", p, p, n, *extra)
            assert_close(k.get(p, x.shape), want, 1e-5, 1e-6, f"{op} in place")


@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div", "Maximum", "Minimum"])
def test_binary_broadcasting(k, op):
    rng = np.random.default_rng(11)
    shapes = [((5, 6), (5, 6)), ((2, 3, 4, 5), (5,)), ((2, 3, 4, 5), (3, 1, 1)), ((4, 1, 3), (1, 5, 1)),
              ((1,), (7, 9)), ((), ()), ((2, 1, 3, 1, 2, 5), (1, 4, 1, 2, 1, 5)), ((3, 0, 2), (2,)), ((9,), (1,))]
    for sa, sb in shapes:
        a = rng.standard_normal(sa).astype(np.float32)
        b = rng.standard_normal(sb).astype(np.float32)
        assert_close(wh.run_op(k, op, [a, b], {}), ref(op, a, b), 1e-6, 1e-7, f"{op} {sa} {sb}")


def test_maximum_minimum_match_numpy_bits(k):
    specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0], np.float32)
    a, b = np.repeat(specials, 7), np.tile(specials, 7)
    for op, fn in (("Maximum", np.maximum), ("Minimum", np.minimum)):
        got = wh.run_op(k, op, [a, b], {})
        np.testing.assert_array_equal(got.view(np.uint32) | (np.isnan(got) * 0xFFFFFFFF),
                                      fn(a, b).view(np.uint32) | (np.isnan(fn(a, b)) * 0xFFFFFFFF))


# ---------------------------------------------------------------- normalization, pooling, softmax, reductions


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax"])
def test_softmax_shapes(k, op):
    rng = np.random.default_rng(12)
    for shape, axis in (((3, 1), -1), ((2, 9), -1), ((4, 17), 1), ((3, 5, 7), 1), ((2, 3, 6), 0), ((5, 2, 3), 1)):
        x = (rng.standard_normal(shape) * 4).astype(np.float32)
        assert_close(wh.run_op(k, op, [x], {"axis": axis}), ref(op, x, axis=axis), 1e-5, 1e-5, f"{op} {shape} {axis}")


def test_pools_and_norms(k):
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, 9, 7, 6)).astype(np.float32)
    for op in ("MaxPool2D", "AvgPool2D"):
        for attrs in ({"pool_size": [3, 3], "strides": [1, 1], "padding": "SAME"},
                      {"pool_size": [2, 3], "strides": [2, 1], "padding": [1, 0, 1, 1]},
                      {"pool_size": [3, 3], "strides": [2, 2]}):
            assert_close(wh.run_op(k, op, [x], attrs), ref(op, x, **attrs), 1e-5, 1e-6, f"{op} {attrs}")
    # NaN anywhere in a window (vector lanes and the channel tail) wins the max; infinities are values
    xs = x.copy()
    xs[0, 4, 3, 1], xs[1, 0, 0, 5], xs[1, 8, 6, 2] = np.nan, np.nan, np.nan
    xs[0, 1, 1, 0], xs[1, 5, 2, 3] = np.inf, -np.inf
    windows = ({"pool_size": [3, 3], "strides": [1, 1], "padding": "SAME"}, {"pool_size": [2, 3], "strides": [2, 1]})
    for attrs in windows:
        got, want = wh.run_op(k, "MaxPool2D", [xs], attrs), ref("MaxPool2D", xs, **attrs)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=f"MaxPool2D {attrs}: NaN positions")
        assert np.isnan(want).any() and np.isinf(want).any()
        np.testing.assert_array_equal(got[~np.isnan(want)], want[~np.isnan(want)])
    # the unrolled 2x2 path: full windows, clipped ones at the SAME border, a channel tail, and a NaN
    x22 = rng.standard_normal((2, 7, 9, 10)).astype(np.float32)
    x22[1, 2, 3, 5] = np.nan
    for op in ("MaxPool2D", "AvgPool2D"):
        for attrs in ({"pool_size": [2, 2], "strides": [2, 2], "padding": "SAME"},
                      {"pool_size": [2, 2], "strides": [1, 1], "padding": "VALID"}):
            got, want = wh.run_op(k, op, [x22], attrs), ref(op, x22, **attrs)
            np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=f"{op} {attrs}: NaN positions")
            assert np.isnan(want).any()
            assert_close(np.nan_to_num(got), np.nan_to_num(want), 1e-5, 1e-6, f"{op} 2x2 {attrs}")
    assert_close(wh.run_op(k, "GlobalAvgPool", [x], {}), ref("GlobalAvgPool", x), 1e-5, 1e-6, "gap")
    wide = rng.standard_normal((2, 3, 3, 37)).astype(np.float32)  # 2 x 16-channel blocks + 1 vector + 1
    assert_close(wh.run_op(k, "GlobalAvgPool", [wide], {}), ref("GlobalAvgPool", wide), 1e-5, 1e-6, "gap37")
    c = 7
    params = [rng.standard_normal(c).astype(np.float32) for _ in range(3)] + [rng.random(c).astype(np.float32) + 0.1]
    xb = rng.standard_normal((3, 4, c)).astype(np.float32)
    assert_close(wh.run_op(k, "BatchNorm", [xb, *params], {}), ref("BatchNorm", xb, *params), 1e-5, 1e-6, "bn")
    for axis in (-1, 1):
        g = rng.standard_normal(xb.shape[axis % 3:]).astype(np.float32)
        b = rng.standard_normal(xb.shape[axis % 3:]).astype(np.float32)
        got = wh.run_op(k, "LayerNorm", [xb, g, b], {"axis": axis})
        assert_close(got, ref("LayerNorm", xb, g, b, axis=axis), 1e-4, 1e-5, f"ln {axis}")


@pytest.mark.parametrize("op", ["ReduceSum", "ReduceMean", "ReduceMax"])
def test_reductions_every_axis_set(k, op):
    rng = np.random.default_rng(14)
    x = rng.standard_normal((3, 1, 5, 6)).astype(np.float32)
    for r in range(0, 5):
        for axes in itertools.combinations(range(4), r):
            attrs = {"axes": list(axes) if axes else None, "keepdims": bool(r % 2)}
            assert_close(wh.run_op(k, op, [x], attrs), ref(op, x, **attrs), 1e-5, 1e-5, f"{op} {attrs}")


def test_argmax_columns_and_ties(k):
    rng = np.random.default_rng(15)
    x = rng.integers(0, 3, (4, 6, 9)).astype(np.float32)  # many ties
    x[1, 2, 3] = np.nan
    x[2, 4, 5] = np.nan
    for axis in (0, 1, 2):
        np.testing.assert_array_equal(wh.run_op(k, "ArgMax", [x], {"axis": axis}), ref("ArgMax", x, axis=axis))


# ---------------------------------------------------------------- data movement, casts


def test_transpose_every_perm_rank4_and_rank6(k):
    rng = np.random.default_rng(16)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    for perm in itertools.permutations(range(4)):
        np.testing.assert_array_equal(wh.run_op(k, "Transpose", [x], {"perm": list(perm)}), x.transpose(perm))
    y = rng.integers(-9, 9, (2, 1, 3, 2, 4, 3)).astype(np.int32)
    for perm in ([5, 4, 3, 2, 1, 0], [0, 2, 1, 4, 3, 5], [1, 0, 5, 2, 3, 4]):
        np.testing.assert_array_equal(wh.run_op(k, "Transpose", [y], {"perm": perm}), y.transpose(perm))


def test_slice_concat_gather(k):
    rng = np.random.default_rng(17)
    x = rng.standard_normal((5, 6, 7)).astype(np.float32)
    for attrs in ({"starts": [1, -3], "ends": [4, 100], "axes": [0, 2], "steps": [2, 1]},
                  {"starts": [0, 0, 6], "ends": [5, 6, 0], "axes": [], "steps": [1, 1, 1]},
                  {"starts": [-100], "ends": [100], "axes": [1], "steps": [4]}):
        np.testing.assert_array_equal(wh.run_op(k, "Slice", [x], attrs), ref("Slice", x, **attrs))
    parts = [rng.standard_normal((2, n, 3)).astype(np.float32) for n in (1, 4, 2)]
    np.testing.assert_array_equal(wh.run_op(k, "Concat", parts, {"axis": 1}), np.concatenate(parts, 1))
    idx = np.array([[0, -1], [5, 3]], np.int32)
    np.testing.assert_array_equal(wh.run_op(k, "Gather", [x, idx], {"axis": 1}), np.take(x, idx, axis=1))
    out_of_range = wh.run_op(k, "Gather", [x[0], np.array([7, 0], np.int32)], {"axis": 0})
    assert not out_of_range[0].any() and (out_of_range[1] == x[0, 0]).all()  # the kernel's rule: zeros


def test_float16_conversions_exhaustive(k):
    halves = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16)
    got = wh.run_op(k, "Cast", [halves], {"to": "float32"})
    want = halves.astype(np.float32)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(got[~np.isnan(want)], want[~np.isnan(want)])
    deq = wh.run_op(k, "Dequantize", [halves, None, None], {})
    np.testing.assert_array_equal(deq[~np.isnan(want)], want[~np.isnan(want)])
    rng = np.random.default_rng(18)
    f = np.concatenate([rng.standard_normal(20000) * 10 ** rng.uniform(-9, 5, 20000),
                        [65504, 65519.99, 65520, 1e9, 6e-8, 2.98e-8, 2.99e-8, np.inf, -np.inf]]).astype(np.float32)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(wh.run_op(k, "Cast", [f], {"to": "float16"}).view(np.uint16),
                                      f.astype(np.float16).view(np.uint16))


def test_dequantize_per_channel_tails(k):
    rng = np.random.default_rng(19)
    for dtype in (np.int8, np.uint8):
        info = np.iinfo(dtype)
        x = rng.integers(info.min, info.max + 1, (3, 7, 5)).astype(dtype)
        for axis in (None, 0, 1, 2):
            n = 1 if axis is None else x.shape[axis]
            s = (rng.random(n) * 0.1).astype(np.float32)
            z = rng.integers(0, 9, n).astype(np.float32)
            got = wh.run_op(k, "Dequantize", [x, s, z], {"axis": axis})
            assert_close(got, ref("Dequantize", x, s, z, axis=axis), 1e-6, 1e-7, f"{dtype} {axis}")


# ---------------------------------------------------------------- memory and errors


def test_bump_allocator(k):
    base = k("wg_heap_base")
    mark = k("wg_mark")
    assert mark >= base
    p1, p2 = k.alloc(10), k.alloc(1)
    assert p1 % 64 == 0 and p2 % 64 == 0 and p2 >= p1 + 10
    size0 = k.memory.data_len(k.store)
    big = k.alloc(8 << 20)  # grows the memory
    assert k.memory.data_len(k.store) >= big + (8 << 20) > size0
    k.memory.write(k.store, b"\x01" * 16, big + (8 << 20) - 16)  # the last bytes are usable
    assert k("wg_alloc", 0xFFFFFFF0) == 0  # cannot grow that far: 0, nothing changes
    k("wg_reset", mark)
    assert k("wg_mark") == mark
    assert k.alloc(4) == p1  # reused after the reset
    k("wg_reset", mark)
    k("wg_reset", 0)  # below the heap: ignored
    assert k("wg_mark") == mark


def test_kernels_give_their_scratch_back(k):
    rng = np.random.default_rng(20)
    a = rng.standard_normal((40, 50)).astype(np.float32)
    b = rng.standard_normal((50, 30)).astype(np.float32)
    x = rng.standard_normal((1, 8, 8, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    with k.scope():
        pa, pb, py = k.put(a), k.put(b), k.empty((40, 30))
        px, pw, pyc = k.put(x), k.put(w), k.empty((1, 8, 8, 4))
        params = wh.matmul_params(k, 40, 30, 50, transpose_b=False)
        conv = {"strides": [1, 1], "padding": "SAME", "dilations": [1, 1], "groups": 1, "activation": "none",
                "alpha": 0.2}
        cparams = k.params("conv2d", **wh.conv2d_fields(x.shape, w.shape, conv))
        mark = k("wg_mark")
        k.check("wg_MatMul", pa, pb, 0, py, params)
        k.check("wg_Conv2D", px, pw, 0, pyc, cparams)
        k.check("wg_BatchNorm", pa, pb, pb, pb, pb, pa, 4, 5, 1e-3)
        assert k("wg_mark") == mark


def test_bad_params_return_errors(k):
    with k.scope():
        p = wh.matmul_params(k, 2, 3, 4, transpose_b=True, b_packed=True)
        assert k("wg_MatMul", 0, 0, 0, 0, p) == -2  # packing already applied the transpose
        p = wh.matmul_params(k, 2, 3, 4, batch=[2], a_batch=[3])
        assert k("wg_MatMul", 0, 0, 0, 0, p) == -2  # a batch dim that does not broadcast
        fields = wh.conv2d_fields((1, 5, 5, 4), (3, 3, 2, 6), {"strides": [1, 1], "padding": "VALID",
                                  "dilations": [1, 1], "groups": 3, "activation": "none", "alpha": 0.2})
        assert k("wg_Conv2D", 0, 0, 0, 0, k.params("conv2d", **fields)) == -2  # 4 channels in 3 groups
        assert k("wg_Transpose", 0, 0, k.params("transpose", rank=2, shape=[2, 3], perm=[0, 0])) == -2  # not a perm
        assert k("wg_Cast", 0, 0, 1, 0, 9) == -2
        assert k("wg_Add", 0, 0, 0, wh.broadcast_params(k, (2, 3), (2, 2), (3,))) == -2
