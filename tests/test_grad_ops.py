"""The gradient ops (the op set's gradOps): spec, numpy references against the ops' VJPs and finite
differences, shape rules, vectors, and that bundles still refuse them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from compare import assert_close

from webgrad.exporter import vectors
from webgrad.exporter.grad_vectors import grad_cases
from webgrad.exporter.opset import (
    OpAttributeError,
    UnknownOpError,
    grad_op_names,
    grad_op_spec,
    load_opset,
    normalize_attrs,
    normalize_grad_attrs,
    op_names,
    op_spec,
)
from webgrad.exporter.tensor_codec import decode
from webgrad.raw_ops import REGISTRY, ShapeError
from webgrad.raw_ops.grad import GRAD_REGISTRY, apply_grad

GRAD_DIR = Path(__file__).parent / "vectors" / "grad"
TABLE = ["SumTo", "BroadcastLike", "ActivationGrad", "MaxMinGrad", "SoftmaxGrad", "LogSoftmaxGrad",
         "Conv2DBackpropInput", "Conv2DBackpropFilter", "MaxPool2DGrad", "AvgPool2DGrad", "LayerNormGrad",
         "BatchNormGrad", "SliceGrad", "GatherGrad", "ReduceMaxGrad", "ReshapeLike"]
rng = np.random.default_rng(7)


def f(*shape: int, scale: float = 1.0) -> np.ndarray:
    return (rng.standard_normal(shape) * scale).astype(np.float32)


# ---- spec -------------------------------------------------------------------------------------


def test_grad_ops_are_the_design_table_and_separate_from_ops():
    assert grad_op_names() == TABLE
    assert not set(grad_op_names()) & set(op_names())
    assert set(GRAD_REGISTRY) == set(TABLE)


@pytest.mark.parametrize("op", TABLE)
def test_spec_has_the_op_schema(op):
    spec = grad_op_spec(op)
    assert set(spec) == {"doc", "vjpOf", "inputs", "attrs", "output", "shape", "differentiable", "tolerance", "nan"}
    assert spec["output"] == {"dtype": "float32"} and spec["differentiable"] is False
    assert all(v in op_names() for v in spec["vjpOf"])
    assert {"rule", "doc"} <= set(spec["shape"]) and {"rtol", "atol"} == set(spec["tolerance"])
    for forward in spec["vjpOf"]:  # an attribute named like one of the forward op's is that attribute
        for name, attr in spec["attrs"].items():
            if name in op_spec(forward)["attrs"] and name not in ("activation", "alpha"):
                assert attr == op_spec(forward)["attrs"][name], (op, forward, name)


def test_every_differentiable_op_has_a_gradient_path():
    covered = {f for op in grad_op_names() for f in grad_op_spec(op)["vjpOf"]}
    # their VJP rules emit op-set ops only
    composed = {"Add", "Sub", "Mul", "Div", "Exp", "Log", "Sqrt", "Transpose", "Concat", "MatMul", "Pad", "Abs"}
    differentiable = {op for op in op_names() if op_spec(op)["differentiable"]}
    assert differentiable - covered - composed == set()


def test_bundle_ops_and_grad_ops_do_not_mix():
    with pytest.raises(UnknownOpError, match="gradient op"):
        op_spec("SumTo")
    with pytest.raises(UnknownOpError, match="gradOps"):
        grad_op_spec("Relu")
    assert "gradOps" in load_opset() and "gradOps" in load_opset()["doc"]


def test_grad_attrs_are_checked_like_op_attrs():
    assert normalize_grad_attrs("MaxPool2DGrad", {})["padding"] == "VALID"
    with pytest.raises(OpAttributeError, match="MaxMinGrad needs attribute 'side'"):
        normalize_grad_attrs("MaxMinGrad", {"op": "max"})
    with pytest.raises(OpAttributeError, match=r"LayerNormGrad\.wrt must be one of"):
        normalize_grad_attrs("LayerNormGrad", {"wrt": "mean"})
    with pytest.raises(OpAttributeError, match=r"Conv2DBackpropInput\.padding"):
        normalize_grad_attrs("Conv2DBackpropInput", {"padding": "FULL"})


# ---- each reference is the matching piece of the op's VJP -------------------------------------


def vjp(op, g, inputs, **attrs):
    full = normalize_attrs(op, attrs)
    y = REGISTRY[op].forward(inputs, full)
    return REGISTRY[op].vjp(g, inputs, y, full), y


def test_sum_to_is_the_broadcast_vjp_of_add():
    a, b = f(3, 1, 4), f(2, 4)
    g = f(3, 2, 4)
    (ga, gb), _ = vjp("Add", g, [a, b])
    assert_close(apply_grad("SumTo", g, a), ga, rtol=0, atol=0)
    assert_close(apply_grad("SumTo", g, b), gb, rtol=0, atol=0)


@pytest.mark.parametrize("op,mean", [("ReduceSum", False), ("ReduceMean", True)])
def test_broadcast_like_is_the_reduce_vjp(op, mean):
    x = f(2, 3, 4)
    for axes, keep in [(None, False), ([1], True), ([-1, 0], False)]:
        y = REGISTRY[op].forward([x], {"axes": axes, "keepdims": keep})
        g = f(*y.shape)
        (dx,), _ = vjp(op, g, [x], axes=axes, keepdims=keep)
        assert_close(apply_grad("BroadcastLike", g, x, axes=axes, keepdims=keep, mean=mean), dx, rtol=0, atol=0)


def test_broadcast_like_is_the_global_avg_pool_vjp():
    x = f(2, 3, 4, 5)
    g = f(2, 5)
    (dx,), _ = vjp("GlobalAvgPool", g, [x])
    assert_close(apply_grad("BroadcastLike", g, x, axes=[1, 2], mean=True), dx, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("op,attrs,act", [
    ("Relu", {}, {"activation": "relu"}),
    ("Relu6", {}, {"activation": "relu6"}),
    ("LeakyRelu", {"alpha": 0.1}, {"activation": "leaky_relu", "alpha": 0.1}),
    ("LeakyRelu", {"alpha": -0.3}, {"activation": "leaky_relu", "alpha": -0.3}),
    ("Sigmoid", {}, {"activation": "sigmoid"}),
    ("Tanh", {}, {"activation": "tanh"}),
    ("Gelu", {}, {"activation": "gelu"}),
    ("Gelu", {"approximate": True}, {"activation": "gelu", "approximate": True}),
])
def test_activation_grad_is_the_unary_vjp(op, attrs, act):
    x = f(3, 5, scale=4.0)
    g = f(3, 5)
    (dx,), y = vjp(op, g, [x], **attrs)
    assert_close(apply_grad("ActivationGrad", g, x, y, **act), dx, rtol=0, atol=0)


def test_activation_grad_is_the_fused_conv_activation_vjp():
    x, w, b = f(1, 5, 5, 2), f(3, 3, 2, 3), f(3)
    attrs = {"activation": "gelu", "padding": "SAME"}
    g = f(1, 5, 5, 3)
    (dx, dw, db), y = vjp("Conv2D", g, [x, w, b], **attrs)
    z = REGISTRY["Conv2D"].forward([x, w, b], {**REGISTRY_ATTRS("Conv2D", padding="SAME")})
    gz = apply_grad("ActivationGrad", g, z, y, activation="gelu")
    assert_close(apply_grad("SumTo", gz, b), db, rtol=1e-6, atol=1e-6)
    assert_close(apply_grad("Conv2DBackpropInput", gz, w, x, padding="SAME"), dx, rtol=0, atol=0)
    assert_close(apply_grad("Conv2DBackpropFilter", x, gz, w, padding="SAME"), dw, rtol=0, atol=0)


def REGISTRY_ATTRS(op, **attrs):
    return normalize_attrs(op, attrs)


@pytest.mark.parametrize("op,name", [("Maximum", "max"), ("Minimum", "min")])
def test_max_min_grad_then_sum_to_is_the_vjp(op, name):
    a, b = f(3, 4), f(4)
    b[1] = a[0, 1]  # a tie
    g = f(3, 4)
    (ga, gb), _ = vjp(op, g, [a, b])
    share_a = apply_grad("MaxMinGrad", g, a, b, op=name, side="a")
    share_b = apply_grad("MaxMinGrad", g, a, b, op=name, side="b")
    assert_close(apply_grad("SumTo", share_a, a), ga, rtol=0, atol=0)
    assert_close(apply_grad("SumTo", share_b, b), gb, rtol=0, atol=0)
    assert_close(share_a + share_b, g, rtol=0, atol=0)  # every element goes to exactly one side


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax"])
def test_softmax_grads_are_the_vjp(op):
    x, g = f(2, 3, 4), f(2, 3, 4)
    (dx,), y = vjp(op, g, [x], axis=1)
    assert_close(apply_grad(f"{op}Grad", g, y, axis=1), dx, rtol=0, atol=0)


CONV = [({}, (2, 6, 6, 3), (3, 3, 3, 4)), ({"strides": [2, 1], "padding": [1, 2, 0, 1]}, (1, 6, 5, 3), (3, 3, 3, 2)),
        ({"padding": "SAME", "dilations": [2, 2]}, (1, 6, 6, 2), (3, 3, 2, 2)),
        ({"groups": 2, "strides": [2, 2]}, (3, 6, 6, 4), (3, 3, 2, 6)),
        ({"groups": 3, "padding": "SAME"}, (2, 5, 5, 3), (3, 3, 1, 6))]


@pytest.mark.parametrize("attrs,xs,ws", CONV)
def test_conv_backprops_are_the_conv_vjp(attrs, xs, ws):
    x, w, b = f(*xs), f(*ws), f(ws[3])
    y = REGISTRY["Conv2D"].forward([x, w, b], REGISTRY_ATTRS("Conv2D", **attrs))
    g = f(*y.shape)
    (dx, dw, _), _ = vjp("Conv2D", g, [x, w, b], **attrs)
    assert_close(apply_grad("Conv2DBackpropInput", g, w, x, **attrs), dx, rtol=0, atol=0)
    assert_close(apply_grad("Conv2DBackpropFilter", x, g, w, **attrs), dw, rtol=0, atol=0)


def test_like_inputs_are_read_only_for_their_shape():
    x, w = f(1, 5, 5, 2), f(3, 3, 2, 3)
    g = f(1, 3, 3, 3)
    a = apply_grad("Conv2DBackpropInput", g, w, x)
    assert_close(apply_grad("Conv2DBackpropInput", g, w, np.full_like(x, np.nan)), a, rtol=0, atol=0)
    b = apply_grad("Conv2DBackpropFilter", x, g, w)
    assert_close(apply_grad("Conv2DBackpropFilter", x, g, np.full_like(w, np.nan)), b, rtol=0, atol=0)


@pytest.mark.parametrize("op", ["MaxPool2D", "AvgPool2D"])
def test_pool_grads_are_the_vjp(op):
    for attrs in ({}, {"pool_size": [3, 3], "strides": [1, 1], "padding": "SAME"}, {"padding": [1, 0, 1, 1]}):
        x = np.round(f(2, 5, 5, 3)).astype(np.float32)  # rounded: ties
        y = REGISTRY[op].forward([x], REGISTRY_ATTRS(op, **attrs))
        g = f(*y.shape)
        (dx,), _ = vjp(op, g, [x], **attrs)
        assert_close(apply_grad(f"{op}Grad", g, x, **attrs), dx, rtol=0, atol=0)


def test_layer_norm_grad_is_the_vjp():
    x, gamma, beta = f(3, 2, 4), f(2, 4), f(2, 4)
    g = f(3, 2, 4)
    grads, _ = vjp("LayerNorm", g, [x, gamma, beta], axis=1)
    for wrt, want in zip(("x", "gamma", "beta"), grads, strict=True):
        assert_close(apply_grad("LayerNormGrad", g, x, gamma, axis=1, wrt=wrt), want, rtol=0, atol=0)


def test_batch_norm_grad_is_the_vjp():
    x, scale, bias, mean = f(3, 2, 2, 4), f(4), f(4), f(4)
    var = (rng.random(4) + 0.1).astype(np.float32)
    g = f(3, 2, 2, 4)
    grads, _ = vjp("BatchNorm", g, [x, scale, bias, mean, var], epsilon=1e-5)
    for wrt, want in zip(("x", "scale", "bias"), grads[:3], strict=True):
        got = apply_grad("BatchNormGrad", g, x, scale, mean, var, epsilon=1e-5, wrt=wrt)
        assert_close(got, want, rtol=0, atol=0)


def test_slice_gather_reduce_max_reshape_are_the_vjp():
    x = f(4, 5, 6)
    attrs = {"starts": [-4, 0], "ends": [-1, 6], "axes": [2, 0], "steps": [2, 3]}
    g = f(2, 5, 2)
    (dx,), _ = vjp("Slice", g, [x], **attrs)
    assert_close(apply_grad("SliceGrad", g, x, **attrs), dx, rtol=0, atol=0)
    data, idx = f(5, 3), np.array([[0, 4], [-1, 4]], np.int32)
    g = f(2, 2, 3)
    (dd, _), _ = vjp("Gather", g, [data, idx])
    assert_close(apply_grad("GatherGrad", g, idx, data), dd, rtol=0, atol=0)
    xt = np.round(f(3, 4)).astype(np.float32)
    g = f(3)
    (dx,), y = vjp("ReduceMax", g, [xt], axes=[1])
    # The ReduceMax VJP divides by an int64 count and so gives float64; the gradient op is float32.
    assert_close(apply_grad("ReduceMaxGrad", g, xt, y, axes=[1]), dx.astype(np.float32), rtol=0, atol=0)
    g = f(2, 12)
    (dx,), _ = vjp("Flatten", g, [f(2, 3, 4)])
    assert_close(apply_grad("ReshapeLike", g, f(2, 3, 4)), dx, rtol=0, atol=0)


# ---- finite differences in float64 -------------------------------------------------------------


def numeric_vjp(fn, x: np.ndarray, g: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d(sum(g * fn(x)))/dx by central differences, in float64."""
    out = np.zeros_like(x, dtype=np.float64)
    flat = x.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + eps
        hi = np.sum(g * fn(x))
        flat[i] = keep - eps
        lo = np.sum(g * fn(x))
        flat[i] = keep
        out.reshape(-1)[i] = (hi - lo) / (2 * eps)
    return out


def conv64(x, w, attrs):
    return REGISTRY["Conv2D"].forward([x, w, None], REGISTRY_ATTRS("Conv2D", **attrs))


@pytest.mark.parametrize("attrs", [{"strides": [2, 1], "padding": "SAME"}, {"groups": 2, "dilations": [1, 2]}])
def test_conv_backprops_match_finite_differences(attrs):
    x = rng.standard_normal((1, 5, 5, 4))
    w = rng.standard_normal((2, 2, 4 // attrs.get("groups", 1), 2))
    g = rng.standard_normal(conv64(x, w, attrs).shape)
    dx = GRAD_REGISTRY["Conv2DBackpropInput"].forward([g, w, x], normalize_grad_attrs("Conv2DBackpropInput", attrs))
    dw = GRAD_REGISTRY["Conv2DBackpropFilter"].forward([x, g, w], normalize_grad_attrs("Conv2DBackpropFilter", attrs))
    np.testing.assert_allclose(dx, numeric_vjp(lambda v: conv64(v, w, attrs), x, g), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dw, numeric_vjp(lambda v: conv64(x, v, attrs), w, g), rtol=1e-6, atol=1e-8)


def test_layer_norm_and_softmax_grads_match_finite_differences():
    x, gamma, beta = rng.standard_normal((2, 3, 4)), rng.standard_normal((4,)), rng.standard_normal((4,))
    g = rng.standard_normal((2, 3, 4))
    ln = {"axis": -1, "epsilon": 1e-3}

    def layer_norm(v, gm=gamma):
        return REGISTRY["LayerNorm"].forward([v, gm, beta], ln)

    for wrt, at, fn in (("x", x, layer_norm), ("gamma", gamma, lambda v: layer_norm(x, v))):
        got = GRAD_REGISTRY["LayerNormGrad"].forward([g, x, gamma], {**ln, "wrt": wrt})
        np.testing.assert_allclose(got, numeric_vjp(fn, at.copy(), g), rtol=1e-5, atol=1e-8)
    y = REGISTRY["Softmax"].forward([x], {"axis": 1})
    got = GRAD_REGISTRY["SoftmaxGrad"].forward([g, y], {"axis": 1})
    np.testing.assert_allclose(got, numeric_vjp(lambda v: REGISTRY["Softmax"].forward([v], {"axis": 1}), x, g),
                               rtol=1e-5, atol=1e-8)


def test_avg_pool_and_activation_grads_match_finite_differences():
    x = rng.standard_normal((1, 5, 5, 2))
    attrs = {"pool_size": [3, 3], "strides": [2, 2], "padding": "SAME"}
    pool = REGISTRY_ATTRS("AvgPool2D", **attrs)
    g = rng.standard_normal(REGISTRY["AvgPool2D"].forward([x], pool).shape)
    got = GRAD_REGISTRY["AvgPool2DGrad"].forward([g, x], pool)
    np.testing.assert_allclose(got, numeric_vjp(lambda v: REGISTRY["AvgPool2D"].forward([v], pool), x, g),
                               rtol=1e-6, atol=1e-8)
    from webgrad.raw_ops._activation import activate

    z = rng.standard_normal((3, 4)) * 3
    g = rng.standard_normal((3, 4))
    for name, attrs in (("gelu", {}), ("gelu_tanh", {"approximate": True}), ("sigmoid", {}), ("tanh", {})):
        act = name.replace("_tanh", "")
        y = activate(z, name, inplace=False)
        full = {"activation": act, "alpha": 0.2, "approximate": False, **attrs}
        got = GRAD_REGISTRY["ActivationGrad"].forward([g, z, y], full)
        np.testing.assert_allclose(got, numeric_vjp(lambda v, n=name: activate(v, n, inplace=False), z, g),
                                   rtol=1e-5, atol=1e-8)


# ---- shape rules and errors --------------------------------------------------------------------


@pytest.mark.parametrize("op", TABLE)
def test_reference_output_has_the_shape_rule_shape(op):
    for c in grad_cases(op):
        shapes = [x.shape for x in c.inputs]
        want, dtype = GRAD_REGISTRY[op].shape(shapes, [str(x.dtype) for x in c.inputs], c.attrs)
        assert dtype == "float32"
        with np.errstate(all="ignore"):
            assert apply_grad(op, *c.inputs, **c.attrs).shape == tuple(want), c.name


def test_shape_errors_name_the_gradient_op():
    with pytest.raises(ShapeError, match=r"SumTo: like \(2,\) does not broadcast to g \(2, 3\)"):
        apply_grad("SumTo", f(2, 3), f(2))
    with pytest.raises(ShapeError, match="Conv2DBackpropInput: g"):
        apply_grad("Conv2DBackpropInput", f(1, 4, 4, 3), f(3, 3, 2, 3), f(1, 5, 5, 2))
    with pytest.raises(ShapeError, match=r"Conv2DBackpropFilter \(the VJP of Conv2D: x is"):
        apply_grad("Conv2DBackpropFilter", f(1, 5, 5, 3), f(1, 3, 3, 3), f(3, 3, 2, 3))
    with pytest.raises(TypeError, match="GatherGrad input 'indices' must be int32"):
        apply_grad("GatherGrad", f(2, 3), f(2), f(5, 3))
    with pytest.raises(IndexError, match="Gather: index 5 is out of range"):
        apply_grad("GatherGrad", f(1, 3), np.array([5], np.int32), f(5, 3))


def test_a_nan_max_window_routes_nothing():
    x = np.array([[[[np.nan], [1.0]], [[2.0], [0.0]]]], np.float32)
    assert_close(apply_grad("MaxPool2DGrad", np.ones((1, 1, 1, 1), np.float32), x), np.zeros_like(x), rtol=0, atol=0)


# ---- vectors -----------------------------------------------------------------------------------


@pytest.mark.parametrize("op", TABLE)
def test_vector_files_are_reproduced_by_the_reference(op):
    doc = json.loads((GRAD_DIR / f"{op}.json").read_text(encoding="utf-8"))
    assert doc["op"] == op and len(doc["cases"]) >= 3
    assert {c["name"] for c in doc["cases"]} == {c.name for c in grad_cases(op)}
    for c in doc["cases"]:
        assert c["attrs"] == normalize_grad_attrs(op, c["attrs"])  # every attribute, defaults filled in
        with np.errstate(all="ignore"):
            got = apply_grad(op, *[decode(t) for t in c["inputs"]], **c["attrs"])
        assert_close(got, decode(c["expected"][0]), **c["tolerance"])
    for r in doc.get("rejects", []):
        with pytest.raises(ShapeError):
            GRAD_REGISTRY[op].shape([tuple(t["shape"]) for t in r["inputs"]], [], r["attrs"])


def test_vectors_cover_batch_one_and_three_and_every_activation():
    acts = {c.attrs["activation"] for c in grad_cases("ActivationGrad")}
    assert acts == set(load_opset()["activations"]["values"])
    for op in ("Conv2DBackpropInput", "Conv2DBackpropFilter", "MaxPool2DGrad", "AvgPool2DGrad", "LayerNormGrad"):
        batches = {c.inputs[1 if op != "Conv2DBackpropFilter" else 0].shape[0] for c in grad_cases(op)}
        assert {1, 3} <= batches, op
    conv = [c.attrs for c in grad_cases("Conv2DBackpropInput")]
    assert any(a["groups"] > 1 for a in conv) and any(a["dilations"] != [1, 1] for a in conv)
    assert any(isinstance(a["padding"], list) for a in conv) and any(a["strides"] != [1, 1] for a in conv)


def test_check_names_a_stale_or_missing_grad_vector(tmp_path, capsys):
    shutil.copytree(GRAD_DIR.parent, tmp_path / "v")
    d = tmp_path / "v"
    assert vectors.main(["--check", "--dir", str(d)]) == 0
    doc = json.loads((d / "grad" / "SumTo.json").read_text())
    doc["cases"][0]["attrs"] = {"extra": 1}
    (d / "grad" / "SumTo.json").write_text(vectors.render(doc))
    (d / "grad" / "ReshapeLike.json").unlink()
    (d / "grad" / "ReluGrad.json").write_text("{}")
    assert vectors.main(["--check", "--dir", str(d)]) == 1
    err = capsys.readouterr().err
    assert "grad/SumTo.json" in err and "grad/ReshapeLike.json (missing)" in err
    assert "grad/ReluGrad.json (not a gradient op)" in err and "SliceGrad" not in err
