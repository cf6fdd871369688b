"""Shared test vectors: every op-set op run by the numpy reference on small inputs.

``python -m webgrad.exporter.vectors`` writes ``tests/vectors/<Op>.json`` and, for the gradient ops
(the op set's ``gradOps``), ``tests/vectors/grad/<Op>.json`` (format in ``tests/vectors/README.md``);
``--check`` regenerates in memory and exits 1 naming the stale files.
Output is deterministic: each op's inputs come from ``default_rng(zlib.crc32(op))`` and the JSON has
sorted keys and fixed indentation, so regenerating gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from webgrad.exporter.grad_vectors import grad_cases, grad_rejects
from webgrad.exporter.opset import grad_op_names, grad_op_spec, load_opset, normalize_attrs, op_names, op_spec
from webgrad.exporter.tensor_codec import decode, encode, render
from webgrad.raw_ops import REGISTRY, ShapeError, apply
from webgrad.raw_ops.grad import GRAD_REGISTRY, apply_grad

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "tests" / "vectors"
GRAD_SUBDIR = "grad"  # the gradient ops' files: DEFAULT_DIR / "grad" / "<Op>.json"
ACTIVATIONS = ("relu", "relu6", "leaky_relu", "sigmoid", "tanh", "gelu")
NAN, INF = float("nan"), float("inf")
# Every float32 special value the 'nan' fields talk about, plus huge/tiny finite ones.
SPECIALS = np.array([NAN, INF, -INF, 0.0, -0.0, 1e30, -1e30, 1e-30, 3.5, -2.25], np.float32)
ULPS = 4  # expected values may differ by this many float32 ulps across CPUs (SIMD exp/tanh, BLAS)


@dataclass
class Case:
    """One vector: op inputs (None for an absent optional) and the attributes given (defaults added later)."""

    name: str
    inputs: list[np.ndarray | None]
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Reject:
    """Inputs the op must refuse in its shape rule (the op set's 'empty' field says so): every
    implementation raises its shape error (``ShapeError`` in Python, ``ESHAPE`` in JS) before a kernel runs."""

    name: str
    inputs: list[np.ndarray | None]
    attrs: dict[str, Any] = field(default_factory=dict)
    error: str = "ESHAPE"


Rng = np.random.Generator
Builder = Callable[[Rng], list[Case]]


def _f(rng: Rng, *shape: int, scale: float = 1.0) -> np.ndarray:
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def _i32(rng: Rng, *shape: int) -> np.ndarray:
    return rng.integers(-100, 100, shape).astype(np.int32)


def _binary(rng: Rng, special: Callable[[], list[Case]] | None = None) -> list[Case]:
    cases = [
        Case("same_shape", [_f(rng, 2, 3), _f(rng, 2, 3)]),
        Case("broadcast_row", [_f(rng, 3, 4), _f(rng, 4)]),
        Case("broadcast_rank_and_ones", [_f(rng, 2, 1, 4), _f(rng, 3, 1)]),
        Case("scalar", [_f(rng, 2, 3), np.array(1.5, np.float32)]),
        Case("special_values", [np.repeat(SPECIALS, 10), np.tile(SPECIALS, 10)]),
    ]
    return cases + (special() if special else [])


def _unary(rng: Rng, attrs_list: list[dict[str, Any]] | None = None, scale: float = 2.0) -> list[Case]:
    cases = []
    for attrs in attrs_list or [{}]:
        tag = "_".join(f"{k}_{v}".lower() for k, v in attrs.items())
        cases.append(Case("random" + (f"_{tag}" if tag else ""), [_f(rng, 3, 5, scale=scale)], attrs))
        cases.append(Case("special_values" + (f"_{tag}" if tag else ""), [SPECIALS.copy()], attrs))
    return cases


def _matmul(rng: Rng) -> list[Case]:
    a, b, bias = _f(rng, 3, 4), _f(rng, 4, 5), _f(rng, 5)
    cases = [
        Case("plain", [a, b]),
        Case("bias", [a, b, bias]),
        Case("transpose_a", [a.T.copy(), b, bias], {"transpose_a": True}),
        Case("transpose_b", [a, b.T.copy()], {"transpose_b": True}),
        Case("transpose_both", [a.T.copy(), b.T.copy(), bias], {"transpose_a": True, "transpose_b": True}),
        Case("batch_a_2d_b", [_f(rng, 2, 3, 4), b, bias]),
        Case("batch_broadcast", [_f(rng, 2, 1, 3, 4), _f(rng, 3, 4, 5)]),
        Case("batch_b_only", [a, _f(rng, 2, 4, 5)]),
    ]
    for act in ACTIVATIONS:
        attrs: dict[str, Any] = {"activation": act}
        if act == "leaky_relu":
            attrs["alpha"] = 0.1
        cases.append(Case(f"act_{act}", [a * 2, b * 2, bias * 2], attrs))  # wide enough to reach relu6's 6
    return cases


def _conv2d(rng: Rng) -> list[Case]:
    x = _f(rng, 2, 6, 6, 3)
    w, bias = _f(rng, 3, 3, 3, 4), _f(rng, 4)
    cases = [
        Case("valid_3x3", [x, w, bias]),
        Case("no_bias", [x, w]),
        Case(
            "same_stride2_odd", [_f(rng, 1, 7, 7, 2), _f(rng, 3, 3, 2, 3), None], {"strides": [2, 2], "padding": "SAME"}
        ),
        Case("same_even_kernel", [x, _f(rng, 2, 2, 3, 2), None], {"padding": "SAME"}),
        Case("explicit_pad_stride", [x, w, bias], {"padding": [1, 2, 0, 1], "strides": [2, 1]}),
        Case("dilation_same", [x, w, bias], {"padding": "SAME", "dilations": [2, 2]}),
        Case("dilation_valid_asym", [_f(rng, 1, 7, 6, 2), _f(rng, 2, 2, 2, 2)], {"dilations": [2, 3]}),
        Case("groups2", [_f(rng, 1, 5, 5, 4), _f(rng, 3, 3, 2, 6), _f(rng, 6)], {"groups": 2, "padding": "SAME"}),
        Case("depthwise", [x, _f(rng, 3, 3, 1, 3), _f(rng, 3)], {"groups": 3, "padding": "SAME"}),
        Case("depthwise_mult2", [x, _f(rng, 3, 3, 1, 6), _f(rng, 6)], {"groups": 3, "strides": [2, 2]}),
        Case("pointwise_1x1", [x, _f(rng, 1, 1, 3, 5), _f(rng, 5)]),
    ]
    small, ws = _f(rng, 1, 4, 4, 2, scale=2.0), _f(rng, 2, 2, 2, 3, scale=2.0)
    for act in ACTIVATIONS:
        cases.append(Case(f"act_{act}", [small, ws, _f(rng, 3)], {"activation": act}))
    return cases


def _conv2d_transpose(rng: Rng) -> list[Case]:
    x = _f(rng, 2, 3, 4, 3)
    w, bias = _f(rng, 3, 3, 4, 3), _f(rng, 4)
    cases = [
        Case("valid_3x3", [x, w, bias]),
        Case("no_bias", [x, w]),
        Case("valid_stride2", [x, w, bias], {"strides": [2, 2]}),
        Case("valid_stride_over_kernel", [x, _f(rng, 2, 2, 2, 3)], {"strides": [3, 3]}),
        Case("same_stride2", [x, w, bias], {"strides": [2, 2], "padding": "SAME"}),
        Case("same_even_kernel_stride2", [x, _f(rng, 4, 4, 2, 3), None], {"strides": [2, 2], "padding": "SAME"}),
        Case("same_stride_1x2", [_f(rng, 1, 3, 3, 2), _f(rng, 3, 2, 3, 2)], {"strides": [1, 2], "padding": "SAME"}),
        Case("explicit_crop", [x, w, bias], {"strides": [2, 1], "padding": [1, 0, 0, 2]}),
        Case("dilation_valid", [x, _f(rng, 2, 2, 2, 3), None], {"dilations": [2, 2]}),
        Case("dilation_same", [x, w, bias], {"dilations": [2, 1], "padding": "SAME"}),
        Case("pointwise_1x1_stride2", [x, _f(rng, 1, 1, 5, 3), _f(rng, 5)], {"strides": [2, 2]}),
        Case("empty_batch", [_empty(0, 3, 4, 3), w, bias], {"strides": [2, 2], "padding": "SAME"}),
    ]
    small, ws = _f(rng, 1, 2, 3, 2, scale=2.0), _f(rng, 2, 2, 3, 2, scale=2.0)
    for act in ACTIVATIONS:
        cases.append(Case(f"act_{act}", [small, ws, _f(rng, 3)], {"activation": act, "strides": [2, 2]}))
    return cases


def _pool(rng: Rng) -> list[Case]:
    x = _f(rng, 2, 6, 6, 3)
    odd = _f(rng, 1, 5, 5, 2)
    with_nan = _f(rng, 1, 4, 4, 1)
    with_nan[0, 0, 1, 0] = NAN
    with_nan[0, 3, 3, 0] = -INF
    return [
        Case("default_2x2", [x]),
        Case("same_3x3_stride2", [odd], {"pool_size": [3, 3], "strides": [2, 2], "padding": "SAME"}),
        Case("same_2x2_odd_input", [odd], {"padding": "SAME"}),
        Case("explicit_pad", [odd], {"pool_size": [3, 3], "strides": [2, 2], "padding": [1, 1, 2, 0]}),
        Case("overlapping_stride1", [odd], {"pool_size": [3, 2], "strides": [1, 1]}),
        Case("special_values", [with_nan]),
    ]


def _global_avg_pool(rng: Rng) -> list[Case]:
    return [Case("square", [_f(rng, 2, 4, 4, 3)]), Case("rect", [_f(rng, 1, 3, 5, 2)])]


def _batch_norm(rng: Rng) -> list[Case]:
    def params(c: int) -> list[np.ndarray | None]:
        return [_f(rng, c), _f(rng, c), _f(rng, c), (rng.random(c) + 0.1).astype(np.float32)]

    return [
        Case("nhwc", [_f(rng, 2, 3, 3, 4), *params(4)]),
        Case("rank2_epsilon", [_f(rng, 3, 5), *params(5)], {"epsilon": 1e-5}),
    ]


def _layer_norm(rng: Rng) -> list[Case]:
    x = _f(rng, 2, 3, 4)
    with_nan = _f(rng, 3, 4)
    with_nan[1, 2] = NAN
    return [
        Case("last_axis", [x, _f(rng, 4), _f(rng, 4)]),
        Case("axis1", [x, _f(rng, 3, 4), _f(rng, 3, 4)], {"axis": 1, "epsilon": 1e-5}),
        Case("nan_group", [with_nan, _f(rng, 4), _f(rng, 4)]),
    ]


def _reshape(rng: Rng) -> list[Case]:
    return [
        Case("copy_and_infer", [_f(rng, 2, 3, 4)], {"shape": [0, -1]}),
        Case("explicit", [_f(rng, 2, 6)], {"shape": [3, 2, 2]}),
        Case("int32_flat", [_i32(rng, 2, 3)], {"shape": [-1]}),
    ]


def _flatten(rng: Rng) -> list[Case]:
    x = _f(rng, 2, 3, 2, 2)
    return [
        Case("axis1", [x]),
        Case("axis0", [x], {"axis": 0}),
        Case("axis_negative", [x], {"axis": -1}),
        Case("axis_rank", [x], {"axis": 4}),
        Case("int32", [_i32(rng, 2, 3, 2)], {"axis": 2}),
    ]


def _transpose(rng: Rng) -> list[Case]:
    return [
        Case("nhwc_to_nchw", [_f(rng, 2, 3, 4, 5)], {"perm": [0, 3, 1, 2]}),
        Case("matrix", [_f(rng, 3, 4)], {"perm": [1, 0]}),
        Case("int32", [_i32(rng, 2, 3, 4)], {"perm": [2, 0, 1]}),
    ]


def _concat(rng: Rng) -> list[Case]:
    return [
        Case("last_axis_three", [_f(rng, 2, 3), _f(rng, 2, 1), _f(rng, 2, 4)]),
        Case("axis0", [_f(rng, 1, 3), _f(rng, 2, 3)], {"axis": 0}),
        Case("int32_axis1", [_i32(rng, 2, 2, 2), _i32(rng, 2, 3, 2)], {"axis": 1}),
    ]


def _slice(rng: Rng) -> list[Case]:
    x = _f(rng, 4, 5, 6)
    return [
        Case("basic", [x], {"starts": [1], "ends": [3]}),
        Case("negative_and_steps", [x], {"starts": [-4, 0], "ends": [-1, 6], "axes": [2, 0], "steps": [2, 3]}),
        Case("clamped", [x], {"starts": [-100, 2], "ends": [100, 1000], "axes": [1, -1]}),
        Case("empty_result", [x], {"starts": [3], "ends": [1], "axes": [1]}),
        Case("int32", [_i32(rng, 5, 4)], {"starts": [1, 1], "ends": [5, 3], "steps": [2, 1]}),
    ]


def _pad(rng: Rng) -> list[Case]:
    specials = SPECIALS.reshape(2, 5).copy()
    return [
        Case("nhwc_zero_padding_2d", [_f(rng, 2, 3, 4, 2)], {"pads": [0, 0, 1, 2, 2, 1, 0, 0]}),
        Case("nwc_zero_padding_1d", [_f(rng, 2, 5, 3)], {"pads": [0, 0, 3, 1, 0, 0]}),
        Case("every_axis_value", [_f(rng, 2, 3, 2)], {"pads": [1, 0, 0, 2, 1, 1], "value": -1.5}),
        Case("no_padding", [_f(rng, 3, 4)], {"pads": [0, 0, 0, 0]}),
        Case("rank6", [_f(rng, 2, 1, 2, 1, 2, 3)], {"pads": [1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 2, 0], "value": 0.5}),
        Case("scalar", [np.array(2.5, np.float32)], {"pads": []}),
        Case("empty_input_axis", [_empty(2, 0, 3)], {"pads": [0, 0, 1, 1, 0, 1], "value": 7.0}),
        Case("empty_output", [_empty(0, 3)], {"pads": [0, 0, 1, 1]}),
        Case("special_values", [specials], {"pads": [1, 0, 0, 1], "value": 3.0}),
        Case("int32", [_i32(rng, 3, 2)], {"pads": [2, 1, 0, 3], "value": -7.0}),
    ]


def _pad_rejects() -> list[Reject]:
    # Zero-size inputs, as the op set's 'empty' field says: the pads are refused, not the empty axis.
    x = _empty(2, 0)
    return [
        Reject("pads_length", [x], {"pads": [1, 1]}),
        Reject("negative_pad", [x], {"pads": [0, 0, -1, 0]}),
        Reject("int32_fraction_value", [np.zeros((2, 0), np.int32)], {"pads": [0, 0, 1, 0], "value": 0.5}),
        Reject("rank7", [_empty(1, 1, 1, 1, 1, 1, 0)], {"pads": [0] * 14}),
    ]


def _gather(rng: Rng) -> list[Case]:
    table = _f(rng, 5, 3)
    return [
        Case("rows_negative", [table, np.array([0, 4, -1, -5, 2, 2], np.int32)]),
        Case("axis1", [table, np.array([2, 0], np.int32)], {"axis": 1}),
        Case("indices_2d", [table, np.array([[1, 2], [3, -2]], np.int32)]),
        Case("scalar_index", [table, np.array(3, np.int32)]),
        Case("int32_axis_negative", [_i32(rng, 2, 4), np.array([3, 0, 3], np.int32)], {"axis": -1}),
    ]


def _reduce(rng: Rng, special: bool = False) -> list[Case]:
    x = _f(rng, 2, 3, 4)
    cases = [
        Case("all_axes", [x]),
        Case("axis1", [x], {"axes": [1]}),
        Case("negative_keepdims", [x], {"axes": [-1], "keepdims": True}),
        Case("two_axes", [x], {"axes": [0, 2]}),
    ]
    if special:
        s = np.array([[1.0, NAN, 2.0], [-INF, -INF, -INF], [3.0, 3.0, 1.0]], np.float32)
        cases.append(Case("special_values_ties", [s], {"axes": [1]}))
    return cases


def _arg_max(rng: Rng) -> list[Case]:
    x = _f(rng, 3, 4)
    ties = np.array([[1.0, 3.0, 3.0], [NAN, 5.0, NAN], [-INF, -INF, -INF], [2.0, INF, INF]], np.float32)
    return [
        Case("last_axis", [x]),
        Case("axis0_keepdims", [x], {"axis": 0, "keepdims": True}),
        Case("ties_and_nan", [ties]),
        Case("empty_other_axis", [_empty(0, 4)]),  # axis 1 has 4 entries: an empty output, not an error
    ]


def _arg_max_rejects() -> list[Reject]:
    # The op set's 'empty': an axis of size 0 has no index to return.
    return [
        Reject("empty_axis", [_empty(2, 0, 3)], {"axis": 1}),
        Reject("empty_axis_keepdims", [_empty(0, 4)], {"axis": 0, "keepdims": True}),
    ]


def _cast(rng: Rng) -> list[Case]:
    floats = np.array(
        [NAN, INF, -INF, -0.0, 2.7, -2.7, 127.9, 128.5, -128.9, 255.5, -1.5, 3e9, -3e9, 70000.0], np.float32
    )
    ints = np.array([0, 1, -1, 127, 128, -128, -129, 255, 256, 2**31 - 1, -(2**31)], np.int32)
    cases = [Case(f"float32_to_{to}", [floats], {"to": to}) for to in ("int32", "int8", "uint8", "float16", "float32")]
    cases += [Case(f"int32_to_{to}", [ints], {"to": to}) for to in ("float32", "int8", "uint8", "float16")]
    cases += [
        Case("int8_to_float32", [np.array([-128, -1, 0, 127], np.int8)], {"to": "float32"}),
        Case("uint8_to_int8", [np.array([0, 127, 128, 255], np.uint8)], {"to": "int8"}),
        Case("float16_to_float32", [np.array([NAN, INF, -INF, 65504, 6e-8, -1.5], np.float16)], {"to": "float32"}),
        Case("float16_to_int32", [np.array([NAN, -7.9, 7.9, 65504], np.float16)], {"to": "int32"}),
    ]
    return cases


def _dequantize(rng: Rng) -> list[Case]:
    q8 = rng.integers(-128, 128, (3, 4)).astype(np.int8)
    u8 = rng.integers(0, 256, (2, 5)).astype(np.uint8)
    scale1 = np.array([0.05], np.float32)
    halves = np.array([[NAN, INF, -INF, 0.5], [65504, -2.0, 6e-8, 1.0]], np.float16)
    return [
        Case("int8_per_tensor", [q8, scale1, np.array([3.0], np.float32)]),
        Case("int8_scale_only_scalar", [q8, np.array(0.1, np.float32)]),
        Case("uint8_per_tensor", [u8, scale1, np.array([128.0], np.float32)]),
        Case("int8_per_channel_axis0", [q8, (rng.random(3) * 0.1).astype(np.float32), None], {"axis": 0}),
        Case("int8_per_channel_last", [q8, (rng.random(4) * 0.1).astype(np.float32), None], {"axis": -1}),
        Case(
            "uint8_per_channel_zp",
            [u8, (rng.random(5) * 0.1).astype(np.float32), np.arange(5, dtype=np.float32) * 20],
            {"axis": 1},
        ),
        Case("float16_exact", [halves]),
        Case("float16_scaled", [halves, np.array([0.5], np.float32)]),
        Case(
            "float16_per_channel",
            [halves, np.array([0.5, 2.0], np.float32), np.array([1.0, -1.0], np.float32)],
            {"axis": 0},
        ),
    ]


def _softmax(rng: Rng) -> list[Case]:
    rows = np.array(
        [[1.0, 2.0, 3.0], [1.0, NAN, 2.0], [1.0, INF, 2.0], [-INF, 0.0, 1.0], [80.0, 90.0, 100.0]], np.float32
    )
    return [
        Case("last_axis", [_f(rng, 3, 5, scale=3.0)]),
        Case("axis0", [_f(rng, 4, 3)], {"axis": 0}),
        Case("middle_axis", [_f(rng, 2, 3, 2)], {"axis": 1}),
        Case("special_values", [rows]),
    ]


def _gelu_tails() -> list[Case]:
    # The negative tail is tiny (x * Phi(x) ~ -8e-23 at -10) and only relative accuracy tells a right
    # answer from 0: -5, -5.6 and -7 are where 0.5 + 0.5 * erf(x / sqrt 2) in float32 is off by ~1e-6
    # of Phi or has cancelled to 0. Both forms, x from -10 to +10.
    x = np.concatenate([np.linspace(-10, 10, 81), [-5.6, -7.0, -9.3, -3.3, -1e-3, 1e-3]]).astype(np.float32)
    return [Case("tails", [x]), Case("tails_approximate_true", [x], {"approximate": True})]


def _empty(*shape: int) -> np.ndarray:
    return np.zeros(shape, np.float32)


def _reduce_empty() -> list[Case]:
    # The op set's 'empty': ReduceSum 0, ReduceMean NaN, ReduceMax -Inf over a zero-size axis.
    return [
        Case("empty_axis", [_empty(2, 0, 3)], {"axes": [1]}),
        Case("empty_axis_keepdims", [_empty(2, 0, 3)], {"axes": [1], "keepdims": True}),
        Case("empty_all_axes", [_empty(2, 0, 3)]),
        Case("empty_kept_axis", [_empty(0, 3)], {"axes": [1]}),  # an empty output: nothing to compute
    ]


def _softmax_empty() -> list[Case]:
    # An empty output, no error, whether the zero-size axis is the softmax axis or another one.
    return [Case("empty_axis", [_empty(2, 0, 3)], {"axis": 1}), Case("empty_other_axis", [_empty(0, 4)])]


def _div_specials() -> list[Case]:
    a = np.array([1.0, -1.0, 0.0, INF, 2.0, NAN], np.float32)
    b = np.array([0.0, 0.0, 0.0, INF, -0.0, 1.0], np.float32)
    return [Case("ieee_division", [a, b])]


def _exp_specials() -> list[Case]:
    return [Case("overflow", [np.array([88.0, 89.0, 1000.0, -1000.0, -INF], np.float32)])]


def _compare(rng: Rng) -> list[Case]:
    # Random floats rarely tie, so the ties (and -0 against +0) get cases of their own.
    ties = np.array([1.0, -0.0, 0.0, 2.5, -3.0, INF], np.float32)
    small = rng.integers(-3, 3, (4, 3)).astype(np.int32)
    return [
        *_binary(rng),
        Case("ties", [ties, np.array([1.0, 0.0, -0.0, 2.0, -3.0, INF], np.float32)]),
        Case("int32", [small, rng.integers(-3, 3, (3,)).astype(np.int32)]),
        Case("int32_extremes", [np.array([-(2**31), 2**31 - 1, 0, 5], np.int32),
                                np.array([2**31 - 1, -(2**31), 0, 5], np.int32)]),
        Case("empty", [_empty(0, 3), _f(rng, 3)]),
    ]


def _where(rng: Rng) -> list[Case]:
    mask = (rng.random((3, 4)) > 0.5).astype(np.float32)
    specials = np.repeat(SPECIALS, 10)
    return [
        Case("same_shape", [mask, _f(rng, 3, 4), _f(rng, 3, 4)]),
        Case("broadcast_all_three", [(rng.random((3, 1)) > 0.5).astype(np.float32), _f(rng, 4), _f(rng, 2, 1, 1)]),
        Case("scalar_branches", [mask, np.array(1.5, np.float32), np.array(-2.0, np.float32)]),
        # Inf and NaN in the branch not taken never leak; a NaN or -0 cond counts as cond != 0 / == 0.
        Case("exact_select", [np.tile(np.array([1, 0], np.float32), 50), specials, np.tile(SPECIALS, 10)]),
        Case("cond_values", [np.array([NAN, -0.0, 0.0, 2.0, -INF, 1e-30], np.float32), _f(rng, 6), _f(rng, 6)]),
        Case("empty", [_empty(2, 0), _f(rng, 1), _f(rng, 2, 1)]),
    ]


def _abs(rng: Rng) -> list[Case]:
    return [*_unary(rng), Case("int32", [np.array([-(2**31), -7, 0, 7, 2**31 - 1], np.int32)])]



def _sign(rng: Rng) -> list[Case]:
    return [*_unary(rng), Case("int32", [np.array([-(2**31), -7, 0, 7, 2**31 - 1], np.int32)])]


def _floor(rng: Rng) -> list[Case]:
    halves = np.array([-2.5, -1.0, -0.5, -0.0, 0.5, 1.0, 2.5, 8388607.5, -8388607.5, 1e30], np.float32)
    return [*_unary(rng, scale=5.0), Case("halves_and_large", [halves])]


BUILDERS: dict[str, Builder] = {
    "MatMul": _matmul,
    "Add": _binary,
    "Sub": _binary,
    "Mul": _binary,
    "Div": lambda rng: _binary(rng, _div_specials),
    "Maximum": _binary,
    "Minimum": _binary,
    "Greater": _compare,
    "GreaterEqual": _compare,
    "Less": _compare,
    "LessEqual": _compare,
    "Equal": _compare,
    "NotEqual": _compare,
    "Where": _where,
    "Relu": _unary,
    "Relu6": lambda rng: _unary(rng, scale=5.0),
    "LeakyRelu": lambda rng: _unary(rng, [{}, {"alpha": 0.01}]),
    "Gelu": lambda rng: _unary(rng, [{}, {"approximate": True}]) + _gelu_tails(),
    "Sigmoid": lambda rng: _unary(rng, scale=5.0),
    "Tanh": _unary,
    "Exp": lambda rng: _unary(rng) + _exp_specials(),
    "Log": lambda rng: [Case("positive", [np.abs(_f(rng, 3, 4)) + 0.01]), *_unary(rng)],
    "Sqrt": lambda rng: [Case("positive", [np.abs(_f(rng, 3, 4))]), *_unary(rng)],
    "Abs": _abs,
    "Sign": _sign,
    "Floor": _floor,
    "Softmax": lambda rng: _softmax(rng) + _softmax_empty(),
    "LogSoftmax": lambda rng: _softmax(rng) + _softmax_empty(),
    "Conv2D": _conv2d,
    "Conv2DTranspose": _conv2d_transpose,
    "MaxPool2D": _pool,
    "AvgPool2D": _pool,
    "GlobalAvgPool": _global_avg_pool,
    "BatchNorm": _batch_norm,
    "LayerNorm": _layer_norm,
    "Reshape": _reshape,
    "Flatten": _flatten,
    "Transpose": _transpose,
    "Concat": _concat,
    "Slice": _slice,
    "Pad": _pad,
    "Gather": _gather,
    "ReduceSum": lambda rng: _reduce(rng) + _reduce_empty(),
    "ReduceMean": lambda rng: _reduce(rng) + _reduce_empty(),
    "ReduceMax": lambda rng: _reduce(rng, special=True) + _reduce_empty(),
    "ArgMax": _arg_max,
    "Cast": _cast,
    "Dequantize": _dequantize,
}

# Ops with inputs their shape rule must refuse (written as the file's "rejects" list).
REJECTS: dict[str, Callable[[], list[Reject]]] = {"ArgMax": _arg_max_rejects, "Pad": _pad_rejects}


def _filled(op: str, inputs: list[np.ndarray | None]) -> list[np.ndarray | None]:
    # Absent optional inputs are explicit nulls, so every case of a fixed-arity op lists them all.
    specs = op_spec(op)["inputs"]
    arity = 0 if specs[-1].get("variadic") else len(specs)
    return inputs + [None] * (arity - len(inputs))


def op_cases(op: str) -> list[Case]:
    """The cases of ``op`` with full (defaulted) attributes and every input slot filled (None for an
    absent optional), from the op's own seeded generator.

    >>> [c.name for c in op_cases("ArgMax")][:2]
    ['last_axis', 'axis0_keepdims']
    """
    rng = np.random.default_rng(zlib.crc32(op.encode()))
    return [Case(c.name, _filled(op, c.inputs), normalize_attrs(op, c.attrs)) for c in BUILDERS[op](rng)]


def op_rejects(op: str) -> list[Reject]:
    """The inputs ``op``'s shape rule must refuse, with full attributes and every input slot filled.

    >>> [(r.name, r.error) for r in op_rejects("ArgMax")][:1]
    [('empty_axis', 'ESHAPE')]
    """
    given = REJECTS[op]() if op in REJECTS else []
    return [Reject(r.name, _filled(op, r.inputs), normalize_attrs(op, r.attrs), r.error) for r in given]


def op_document(op: str) -> dict[str, Any]:
    """The JSON document of one op: every case with inputs and the reference's expected output."""
    spec = op_spec(op)
    cases = []
    for c in op_cases(op):
        with np.errstate(all="ignore"):  # special-value cases make Inf - Inf etc. on purpose
            out = apply(op, *c.inputs, **c.attrs)
        cases.append(
            {
                "name": c.name,
                "attrs": c.attrs,
                "inputs": [None if x is None else encode(x) for x in c.inputs],
                "expected": [encode(np.asarray(out.data))],
                "tolerance": {"rtol": spec["tolerance"]["rtol"], "atol": spec["tolerance"]["atol"]},
            }
        )
    doc: dict[str, Any] = {"op": op, "opsetVersion": load_opset()["opsetVersion"], "cases": cases}
    rejects = [_reject_document(op, r) for r in op_rejects(op)]
    if rejects:
        doc["rejects"] = rejects
    return doc


def _reject_document(op: str, r: Reject) -> dict[str, Any]:
    shapes = [None if x is None else x.shape for x in r.inputs]
    dtypes = [None if x is None else str(x.dtype) for x in r.inputs]
    try:  # a reject the reference accepts would be a wrong vector: refuse to write it
        REGISTRY[op].shape(shapes, dtypes, r.attrs)
    except ShapeError:
        pass
    else:
        raise AssertionError(f"{op}/{r.name}: the reference's shape rule accepts this reject")
    return {
        "name": r.name,
        "attrs": r.attrs,
        "inputs": [None if x is None else encode(x) for x in r.inputs],
        "error": r.error,
    }


def grad_op_document(op: str) -> dict[str, Any]:
    """The JSON document of one gradient op, in the op files' format: every case with inputs and the
    numpy reference's expected output (``authoring/raw_ops/grad/``), and the shape rejects."""
    tol = grad_op_spec(op)["tolerance"]
    cases = []
    for c in grad_cases(op):
        with np.errstate(all="ignore"):  # special-value cases make NaN on purpose
            out = apply_grad(op, *c.inputs, **c.attrs)
        cases.append(
            {
                "name": c.name,
                "attrs": c.attrs,
                "inputs": [encode(x) for x in c.inputs],
                "expected": [encode(out)],
                "tolerance": {"rtol": tol["rtol"], "atol": tol["atol"]},
            }
        )
    doc: dict[str, Any] = {"op": op, "opsetVersion": load_opset()["opsetVersion"], "cases": cases}
    rejects = []
    for r in grad_rejects(op):
        try:  # a reject the reference accepts would be a wrong vector: refuse to write it
            GRAD_REGISTRY[op].shape([x.shape for x in r.inputs], [str(x.dtype) for x in r.inputs], r.attrs)
        except ShapeError:
            pass
        else:
            raise AssertionError(f"{op}/{r.name}: the reference's shape rule accepts this reject")
        rejects.append({"name": r.name, "attrs": r.attrs, "inputs": [encode(x) for x in r.inputs], "error": r.error})
    if rejects:
        doc["rejects"] = rejects
    return doc


def generate() -> dict[str, str]:
    """File name (relative to the vector folder) -> text for every op and every gradient op."""
    files = {f"{op}.json": render(op_document(op)) for op in op_names()}
    files.update({f"{GRAD_SUBDIR}/{op}.json": render(grad_op_document(op)) for op in grad_op_names()})
    return files


def equivalent(old: str, new: str) -> bool:
    """Whether two renderings agree up to ``ULPS`` float32 ulps in expected values (CPU-dependent
    SIMD math and BLAS may round differently); everything else must match exactly."""
    a, b = json.loads(old), json.loads(new)
    exp_a = [c.pop("expected") for c in a.get("cases", [])]
    exp_b = [c.pop("expected") for c in b.get("cases", [])]
    if a != b or len(exp_a) != len(exp_b):
        return False
    for xs, ys in zip(exp_a, exp_b, strict=True):
        for x, y in zip(xs, ys, strict=True):
            if (x["dtype"], x["shape"]) != (y["dtype"], y["shape"]) or not _close_ulps(decode(x), decode(y)):
                return False
    return True


def _close_ulps(x: np.ndarray, y: np.ndarray) -> bool:
    if x.dtype.kind != "f":
        return bool(np.array_equal(x, y))
    same_nan = np.isnan(x) == np.isnan(y)
    ulp = np.spacing(np.abs(x).astype(x.dtype))
    with np.errstate(invalid="ignore"):
        near = (x == y) | (np.abs(x.astype(np.float64) - y) <= ULPS * ulp)
    return bool(np.all(same_nan & (near | np.isnan(x))))


def stale_files(directory: Path) -> list[str]:
    """Names of the files in ``directory`` that regenerating would change, add or remove."""
    fresh = generate()
    stale = []
    for name, text in fresh.items():
        path = directory / name
        if not path.exists():
            stale.append(f"{name} (missing)")
            continue
        old = path.read_text(encoding="utf-8")
        if old != text and not equivalent(old, text):
            stale.append(name)
    stale += [f"{p.name} (not an op)" for p in sorted(directory.glob("*.json")) if p.name not in fresh]
    grads = sorted((directory / GRAD_SUBDIR).glob("*.json"))
    stale += [f"{GRAD_SUBDIR}/{p.name} (not a gradient op)" for p in grads if f"{GRAD_SUBDIR}/{p.name}" not in fresh]
    return stale


def write(directory: Path) -> list[Path]:
    """Writes every op's file into ``directory`` (created if needed); returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / GRAD_SUBDIR).mkdir(exist_ok=True)
    paths = []
    for name, text in generate().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """CLI: write the vectors, or with ``--check`` report stale ones (exit 1)."""
    parser = argparse.ArgumentParser(prog="python -m webgrad.exporter.vectors", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the files differ from a regeneration")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"vector folder (default {DEFAULT_DIR})")
    args = parser.parse_args(argv)
    if not args.dir.parent.is_dir():
        parser.error(f"{args.dir.parent} does not exist (not a source checkout?); pass --dir")
    if args.check:
        stale = stale_files(args.dir)
        for name in stale:
            print(f"stale: {args.dir / name}", file=sys.stderr)
        if stale:
            print("regenerate with: python -m webgrad.exporter.vectors", file=sys.stderr)
            return 1
        print(f"{len(op_names())} op and {len(grad_op_names())} gradient-op vector files in {args.dir} are current")
        return 0
    paths = write(args.dir)
    print(f"wrote {len(paths)} files to {args.dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
