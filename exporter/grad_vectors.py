"""The cases of the gradient-op vectors (``tests/vectors/grad/<Op>.json``): inputs and attributes per
gradient op of the op set's ``gradOps``, made consistent with a forward pass where the op reads one
(y = act(x), y = Softmax(x), ...). ``webgrad.exporter.vectors`` writes and checks the files; expected
values come from the numpy references in ``authoring/raw_ops/grad/``.

Each op's inputs come from ``default_rng(zlib.crc32(op))``, so the cases are deterministic.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from webgrad.exporter.opset import grad_op_spec, normalize_attrs, normalize_grad_attrs
from webgrad.raw_ops import REGISTRY
from webgrad.raw_ops._activation import activate
from webgrad.raw_ops.grad.activation_grad import activation_name

Rng = np.random.Generator
NAN, INF = float("nan"), float("inf")


@dataclass
class GradCase:
    """One vector of a gradient op: its inputs in ``gradOps`` order and the attributes given."""

    name: str
    inputs: list[np.ndarray]
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass
class GradReject:
    """Inputs a gradient op's shape rule must refuse (``ESHAPE`` before any kernel runs)."""

    name: str
    inputs: list[np.ndarray]
    attrs: dict[str, Any] = field(default_factory=dict)
    error: str = "ESHAPE"


def _f(rng: Rng, *shape: int, scale: float = 1.0) -> np.ndarray:
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def _ties(rng: Rng, *shape: int) -> np.ndarray:
    """Small integers as float32: many equal values, so max/min ties are common."""
    return rng.integers(0, 3, shape).astype(np.float32)


def _forward(op: str, inputs: Sequence[np.ndarray | None], attrs: dict[str, Any]) -> np.ndarray:
    return REGISTRY[op].forward(list(inputs), normalize_attrs(op, attrs))


def _out_shape(op: str, inputs: Sequence[np.ndarray | None], attrs: dict[str, Any]) -> tuple[int, ...]:
    shapes = [None if x is None else x.shape for x in inputs]
    return tuple(REGISTRY[op].shape(shapes, [None] * len(shapes), normalize_attrs(op, attrs))[0])


def _sum_to(rng: Rng) -> list[GradCase]:
    pairs = [
        ("row", (2, 3), (3,)),
        ("column_kept", (2, 3, 4), (3, 1)),
        ("leading_and_ones", (2, 3, 4), (1, 4)),
        ("middle_one", (3, 2, 4), (3, 1, 4)),
        ("scalar", (2, 3), ()),
        ("identity", (2, 3), (2, 3)),
        ("batch1_bias", (1, 5), (5,)),
        ("batch3_keep_row", (3, 5), (1, 5)),
        ("nhwc_bias", (3, 2, 2, 4), (4,)),
    ]
    return [GradCase(n, [_f(rng, *g), _f(rng, *like)]) for n, g, like in pairs]


def _sum_to_rejects() -> list[GradReject]:
    z = np.zeros
    return [
        GradReject("like_not_broadcastable", [z((2, 3), np.float32), z((2,), np.float32)]),
        GradReject("like_higher_rank", [z((3,), np.float32), z((2, 3), np.float32)]),
    ]


def _broadcast_like(rng: Rng) -> list[GradCase]:
    like = _f(rng, 2, 3, 4)
    cases = []
    for axes, keep, mean in [(None, False, False), (None, True, True), ([1], False, True), ([-1], True, True),
                             ([0, 2], False, False), ([-3, 1], True, False)]:
        g = _f(rng, *_out_shape("ReduceSum", [like], {"axes": axes, "keepdims": keep}))
        tag = "all" if axes is None else "_".join(str(a).replace("-", "m") for a in axes)
        name = f"axes_{tag}{'_keepdims' if keep else ''}_{'mean' if mean else 'sum'}"
        cases.append(GradCase(name, [g, like], {"axes": axes, "keepdims": keep, "mean": mean}))
    for n in (1, 3):  # GlobalAvgPool's VJP
        cases.append(GradCase(f"global_avg_pool_batch{n}", [_f(rng, n, 2), _f(rng, n, 3, 4, 2)],
                              {"axes": [1, 2], "mean": True}))
    return cases


def _broadcast_like_rejects() -> list[GradReject]:
    z = np.zeros
    return [GradReject("g_not_reduced_shape", [z((2, 4), np.float32), z((2, 3, 4), np.float32)], {"axes": [2]})]


ACTIVATIONS: list[tuple[str, dict[str, Any]]] = [
    ("none", {}),
    ("relu", {}),
    ("relu6", {}),
    ("leaky_relu", {"alpha": 0.1}),
    ("leaky_relu_alpha0", {"alpha": 0.0}),
    ("leaky_relu_negative_alpha", {"alpha": -0.5}),
    ("sigmoid", {}),
    ("tanh", {}),
    ("gelu", {}),
    ("gelu_approximate", {"approximate": True}),
]


def _activation_grad(rng: Rng) -> list[GradCase]:
    # Boundaries: 0 and -0 for relu/leaky_relu, 6 for relu6; wide values reach relu6's cap and the tails.
    edges = np.array([0.0, -0.0, 6.0, -6.0, 5.999, 6.001, 1e-3, -1e-3, 8.0, -8.0], np.float32)
    cases = []
    for tag, extra in ACTIVATIONS:
        attrs = {"activation": tag.split("_alpha")[0].split("_negative")[0].replace("_approximate", ""), **extra}
        name = activation_name({"approximate": False, **attrs})
        for shape_tag, x in (("batch3", _f(rng, 3, 5, scale=4.0)), ("batch1", _f(rng, 1, 4, scale=4.0)),
                             ("edges", edges)):
            y = activate(x.copy(), name, attrs.get("alpha", 0.2), inplace=False)
            cases.append(GradCase(f"{tag}_{shape_tag}", [_f(rng, *x.shape), x, y.astype(np.float32)], attrs))
    return cases


def _max_min_grad(rng: Rng) -> list[GradCase]:
    cases = []
    special_a = np.array([NAN, 1.0, INF, -INF, 2.0, 0.0], np.float32)
    special_b = np.array([1.0, NAN, INF, 3.0, 2.0, -0.0], np.float32)
    for op in ("max", "min"):
        for side in ("a", "b"):
            attrs = {"op": op, "side": side}
            cases += [
                GradCase(f"{op}_{side}_same_shape", [_f(rng, 2, 3), _f(rng, 2, 3), _f(rng, 2, 3)], attrs),
                GradCase(f"{op}_{side}_broadcast_b", [_f(rng, 3, 4), _f(rng, 3, 4), _f(rng, 4)], attrs),
                GradCase(f"{op}_{side}_broadcast_both", [_f(rng, 2, 3, 4), _f(rng, 2, 1, 4), _f(rng, 3, 1)], attrs),
                GradCase(f"{op}_{side}_ties", [_f(rng, 3, 4), _ties(rng, 3, 4), _ties(rng, 3, 4)], attrs),
                GradCase(f"{op}_{side}_special_values", [_f(rng, 6), special_a, special_b], attrs),
            ]
    return cases


def _softmax_grad(op: str) -> Callable[[Rng], list[GradCase]]:
    def build(rng: Rng) -> list[GradCase]:
        cases = []
        for name, shape, axis in [("last_axis_batch3", (3, 5), -1), ("last_axis_batch1", (1, 4), -1),
                                  ("axis0", (4, 3), 0), ("middle_axis", (2, 3, 2), 1)]:
            y = _forward(op, [_f(rng, *shape, scale=2.0)], {"axis": axis})
            cases.append(GradCase(name, [_f(rng, *shape), y], {"axis": axis}))
        return cases

    return build


# (name, x shape, w shape, attrs): the geometries of the Conv2D forward vectors, at batch 1 and 3.
CONV_GEOMETRIES: list[tuple[str, tuple[int, ...], tuple[int, ...], dict[str, Any]]] = [
    ("valid_3x3_batch3", (3, 6, 6, 3), (3, 3, 3, 4), {}),
    ("valid_3x3_batch1", (1, 5, 5, 2), (3, 3, 2, 3), {}),
    ("same_stride2_odd", (1, 7, 7, 2), (3, 3, 2, 3), {"strides": [2, 2], "padding": "SAME"}),
    ("same_stride2_even_batch3", (3, 6, 6, 2), (3, 3, 2, 2), {"strides": [2, 2], "padding": "SAME"}),
    ("same_even_kernel", (2, 5, 5, 3), (2, 2, 3, 2), {"padding": "SAME"}),
    ("explicit_pad_stride", (2, 6, 6, 3), (3, 3, 3, 4), {"padding": [1, 2, 0, 1], "strides": [2, 1]}),
    ("dilation_same", (1, 6, 6, 3), (3, 3, 3, 2), {"padding": "SAME", "dilations": [2, 2]}),
    ("dilation_valid_asym", (1, 7, 6, 2), (2, 2, 2, 2), {"dilations": [2, 3]}),
    ("stride_larger_than_kernel", (1, 7, 7, 2), (2, 2, 2, 3), {"strides": [3, 3]}),
    ("groups2", (1, 5, 5, 4), (3, 3, 2, 6), {"groups": 2, "padding": "SAME"}),
    ("groups2_stride2_batch3", (3, 6, 6, 4), (3, 3, 2, 4), {"groups": 2, "strides": [2, 2]}),
    ("depthwise", (2, 6, 6, 3), (3, 3, 1, 3), {"groups": 3, "padding": "SAME"}),
    ("depthwise_mult2_stride2", (2, 6, 6, 3), (3, 3, 1, 6), {"groups": 3, "strides": [2, 2]}),
    ("pointwise_1x1", (3, 4, 4, 3), (1, 1, 3, 5), {}),
]


def _conv_backprop(wrt: str) -> Callable[[Rng], list[GradCase]]:
    def build(rng: Rng) -> list[GradCase]:
        cases = []
        for name, xs, ws, attrs in CONV_GEOMETRIES:
            x, w = _f(rng, *xs), _f(rng, *ws)
            g = _f(rng, *_out_shape("Conv2D", [x, w, None], attrs))
            inputs = [g, w, x] if wrt == "input" else [x, g, w]
            cases.append(GradCase(name, inputs, attrs))
        return cases

    return build


def _conv_rejects(wrt: str) -> Callable[[], list[GradReject]]:
    def build() -> list[GradReject]:
        x, w, g = (np.zeros(s, np.float32) for s in ((1, 5, 5, 2), (3, 3, 2, 3), (1, 4, 4, 3)))  # g should be 3x3
        return [GradReject("g_not_conv_output", [g, w, x] if wrt == "input" else [x, g, w])]

    return build


POOL_GEOMETRIES: list[tuple[str, tuple[int, ...], dict[str, Any]]] = [
    ("default_2x2_batch3", (3, 4, 4, 2), {}),
    ("default_2x2_batch1_odd", (1, 5, 5, 2), {}),
    ("same_3x3_stride2", (1, 5, 5, 2), {"pool_size": [3, 3], "strides": [2, 2], "padding": "SAME"}),
    ("same_2x2_odd_input", (2, 5, 5, 1), {"padding": "SAME"}),
    ("explicit_pad", (1, 5, 5, 2), {"pool_size": [3, 3], "strides": [2, 2], "padding": [1, 1, 2, 0]}),
    ("overlapping_stride1", (2, 5, 5, 2), {"pool_size": [3, 2], "strides": [1, 1]}),
    ("overlapping_3x3_stride2_batch3", (3, 7, 7, 1), {"pool_size": [3, 3], "strides": [2, 2]}),
]


def _pool_grad(op: str) -> Callable[[Rng], list[GradCase]]:
    def build(rng: Rng) -> list[GradCase]:
        cases = []
        for name, xs, attrs in POOL_GEOMETRIES:
            x = _f(rng, *xs)
            cases.append(GradCase(name, [_f(rng, *_out_shape(op, [x], attrs)), x], attrs))
        if op == "MaxPool2D":
            for name, xs, attrs in POOL_GEOMETRIES[:1] + POOL_GEOMETRIES[5:]:
                x = _ties(rng, *xs)  # the first maximum in row-major window order takes the gradient
                cases.append(GradCase(f"ties_{name}", [_f(rng, *_out_shape(op, [x], attrs)), x], attrs))
            x = _f(rng, 1, 4, 4, 1)
            x[0, 0, 1, 0], x[0, 3, 3, 0], x[0, 2, 2, 0] = NAN, -INF, INF
            cases.append(GradCase("special_values", [_f(rng, 1, 2, 2, 1), x]))
        return cases

    return build


def _pool_rejects() -> list[GradReject]:
    return [GradReject("g_not_pool_output", [np.zeros((1, 3, 3, 2), np.float32), np.zeros((1, 4, 4, 2), np.float32)])]


def _layer_norm_grad(rng: Rng) -> list[GradCase]:
    cases = []
    for wrt in ("x", "gamma", "beta"):
        for name, xs, attrs in [("last_axis_batch3", (3, 2, 4), {}), ("last_axis_batch1", (1, 5), {}),
                                ("axis1_epsilon", (3, 3, 4), {"axis": 1, "epsilon": 1e-5}),
                                ("axis_negative2", (2, 3, 4), {"axis": -2})]:
            x = _f(rng, *xs, scale=2.0)
            gamma = _f(rng, *xs[attrs.get("axis", -1) % len(xs):])  # x[axis:]
            cases.append(GradCase(f"{wrt}_{name}", [_f(rng, *xs), x, gamma], {**attrs, "wrt": wrt}))
    return cases


def _batch_norm_grad(rng: Rng) -> list[GradCase]:
    cases = []
    for wrt in ("x", "scale", "bias"):
        for name, xs, attrs in [("nhwc_batch3", (3, 3, 3, 4), {}), ("rank2_batch1_epsilon", (1, 5), {"epsilon": 1e-5}),
                                ("rank2_batch3", (3, 2), {})]:
            c = xs[-1]
            params = [_f(rng, c), _f(rng, c), (rng.random(c) + 0.1).astype(np.float32)]
            cases.append(GradCase(f"{wrt}_{name}", [_f(rng, *xs), _f(rng, *xs), *params], {**attrs, "wrt": wrt}))
    return cases


def _slice_grad(rng: Rng) -> list[GradCase]:
    cases = []
    for name, xs, attrs in [
        ("basic", (4, 5, 6), {"starts": [1], "ends": [3]}),
        ("negative_and_steps", (4, 5, 6), {"starts": [-4, 0], "ends": [-1, 6], "axes": [2, 0], "steps": [2, 3]}),
        ("clamped", (4, 5, 6), {"starts": [-100, 2], "ends": [100, 1000], "axes": [1, -1]}),
        ("empty_result", (4, 5, 6), {"starts": [3], "ends": [1], "axes": [1]}),
        ("concat_piece_batch1", (1, 7), {"starts": [2], "ends": [5], "axes": [-1]}),
    ]:
        x = _f(rng, *xs)
        cases.append(GradCase(name, [_f(rng, *_out_shape("Slice", [x], attrs)), x], attrs))
    return cases


def _gather_grad(rng: Rng) -> list[GradCase]:
    cases = []
    for name, ds, idx, attrs in [
        ("rows_negative_repeated", (5, 3), [0, 4, -1, -5, 2, 2], {}),
        ("axis1", (5, 3), [2, 0, 2], {"axis": 1}),
        ("indices_2d", (5, 3), [[1, 2], [3, -2]], {}),
        ("scalar_index", (5, 3), 3, {}),
        ("axis_negative_3d", (2, 4, 3), [3, 0, 3, -1], {"axis": -2}),
    ]:
        data, indices = _f(rng, *ds), np.array(idx, np.int32)
        cases.append(GradCase(name, [_f(rng, *_out_shape("Gather", [data, indices], attrs)), indices, data], attrs))
    return cases


def _reduce_max_grad(rng: Rng) -> list[GradCase]:
    cases = []
    specials = np.array([[1.0, NAN, 2.0], [-INF, -INF, -INF], [3.0, 3.0, 1.0], [INF, 0.0, INF]], np.float32)
    for name, x, attrs in [
        ("all_axes", _f(rng, 2, 3, 4), {}),
        ("axis1", _f(rng, 2, 3, 4), {"axes": [1]}),
        ("negative_keepdims", _f(rng, 2, 3, 4), {"axes": [-1], "keepdims": True}),
        ("two_axes", _f(rng, 2, 3, 4), {"axes": [0, 2]}),
        ("ties_split", _ties(rng, 3, 4), {"axes": [1]}),
        ("ties_all_keepdims", _ties(rng, 2, 3), {"keepdims": True}),
        ("special_values_ties", specials, {"axes": [1]}),
    ]:
        y = _forward("ReduceMax", [x], attrs)
        cases.append(GradCase(name, [_f(rng, *y.shape), x, y], attrs))
    return cases


def _reshape_like(rng: Rng) -> list[GradCase]:
    return [
        GradCase("unflatten_batch3", [_f(rng, 3, 8), _f(rng, 3, 2, 2, 2)]),
        GradCase("unflatten_batch1", [_f(rng, 1, 12), _f(rng, 1, 3, 4)]),
        GradCase("to_flat", [_f(rng, 2, 3, 4), _f(rng, 24)]),
    ]


def _reshape_like_rejects() -> list[GradReject]:
    return [GradReject("element_counts_differ", [np.zeros((2, 3), np.float32), np.zeros((7,), np.float32)])]


GRAD_BUILDERS: dict[str, Callable[[Rng], list[GradCase]]] = {
    "SumTo": _sum_to,
    "BroadcastLike": _broadcast_like,
    "ActivationGrad": _activation_grad,
    "MaxMinGrad": _max_min_grad,
    "SoftmaxGrad": _softmax_grad("Softmax"),
    "LogSoftmaxGrad": _softmax_grad("LogSoftmax"),
    "Conv2DBackpropInput": _conv_backprop("input"),
    "Conv2DBackpropFilter": _conv_backprop("filter"),
    "MaxPool2DGrad": _pool_grad("MaxPool2D"),
    "AvgPool2DGrad": _pool_grad("AvgPool2D"),
    "LayerNormGrad": _layer_norm_grad,
    "BatchNormGrad": _batch_norm_grad,
    "SliceGrad": _slice_grad,
    "GatherGrad": _gather_grad,
    "ReduceMaxGrad": _reduce_max_grad,
    "ReshapeLike": _reshape_like,
}

GRAD_REJECTS: dict[str, Callable[[], list[GradReject]]] = {
    "SumTo": _sum_to_rejects,
    "BroadcastLike": _broadcast_like_rejects,
    "Conv2DBackpropInput": _conv_rejects("input"),
    "Conv2DBackpropFilter": _conv_rejects("filter"),
    "MaxPool2DGrad": _pool_rejects,
    "AvgPool2DGrad": _pool_rejects,
    "ReshapeLike": _reshape_like_rejects,
}


def grad_cases(op: str) -> list[GradCase]:
    """The cases of gradient op ``op`` with full (defaulted) attributes, from the op's own seeded generator.

    >>> [c.name for c in grad_cases("SumTo")][:2]
    ['row', 'column_kept']
    """
    grad_op_spec(op)
    rng = np.random.default_rng(zlib.crc32(op.encode()))
    return [GradCase(c.name, c.inputs, normalize_grad_attrs(op, c.attrs)) for c in GRAD_BUILDERS[op](rng)]


def grad_rejects(op: str) -> list[GradReject]:
    """The inputs gradient op ``op``'s shape rule must refuse, with full attributes.

    >>> [r.name for r in grad_rejects("ReshapeLike")]
    ['element_counts_differ']
    """
    given = GRAD_REJECTS[op]() if op in GRAD_REJECTS else []
    return [GradReject(r.name, r.inputs, normalize_grad_attrs(op, r.attrs), r.error) for r in given]
