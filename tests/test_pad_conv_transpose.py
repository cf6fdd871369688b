"""Pad and Conv2DTranspose (op set v2): Keras 3's semantics, the opsetVersion a bundle declares, and
the per-example filter gradient DP-SGD uses."""

import json
import os

import numpy as np
import pytest

from webgrad import raw_ops as ops
from webgrad.exporter.bundle_reader import read_bundle
from webgrad.exporter.bundle_writer import write_bundle
from webgrad.exporter.graph import Graph, Node, TensorSpec
from webgrad.exporter.opset import bundle_opset_version, opset_version
from webgrad.raw_ops import REGISTRY

os.environ.setdefault("KERAS_BACKEND", "jax")

GEOMETRIES = [  # H, W, KH, KW, stride, dilation, padding
    (4, 5, 3, 3, 2, 1, "valid"), (4, 5, 3, 3, 2, 1, "same"), (3, 3, 2, 2, 3, 1, "valid"),
    (5, 4, 3, 2, 1, 2, "same"), (5, 4, 4, 4, 2, 1, "same"), (3, 4, 3, 3, 1, 1, "valid"),
    (4, 4, 1, 1, 3, 1, "same"),
]


@pytest.mark.parametrize("geometry", GEOMETRIES, ids=[f"{g[6]}_k{g[2]}x{g[3]}_s{g[4]}_d{g[5]}" for g in GEOMETRIES])
def test_conv2d_transpose_is_keras_conv_transpose(geometry):
    keras = pytest.importorskip("keras")
    h, w, kh, kw, s, d, padding = geometry
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, h, w, 3)).astype(np.float32)
    k = rng.standard_normal((kh, kw, 5, 3)).astype(np.float32)  # Keras's (kh, kw, filters, in_channels)
    want = np.asarray(keras.ops.conv_transpose(x, k, strides=s, padding=padding, dilation_rate=d))
    got = ops.Conv2DTranspose(x, k, strides=[s, s], dilations=[d, d], padding=padding.upper()).data
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_pad_is_keras_zero_padding_2d_and_ops_pad():
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(1).standard_normal((2, 3, 4, 2)).astype(np.float32)
    want = np.asarray(keras.layers.ZeroPadding2D(((1, 2), (3, 0)))(x))
    np.testing.assert_array_equal(ops.Pad(x, pads=[0, 0, 1, 2, 3, 0, 0, 0]).data, want)
    want = np.asarray(keras.ops.pad(x, ((0, 0), (1, 1), (0, 2), (1, 0)), constant_values=-2.0))
    np.testing.assert_array_equal(ops.Pad(x, pads=[0, 0, 1, 1, 0, 2, 1, 0], value=-2.0).data, want)


def test_per_example_filter_gradients_sum_to_the_batch_gradient():
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((3, 3, 2, 2)), rng.standard_normal((3, 3, 4, 2)), rng.standard_normal(4)
    attrs = {"strides": [2, 2], "padding": "SAME", "dilations": [1, 1], "activation": "tanh", "alpha": 0.2}
    impl = REGISTRY["Conv2DTranspose"]
    y = impl.forward([x, w, b], attrs)
    g = rng.standard_normal(y.shape)
    _, dw, db = impl.vjp(g, [x, w, b], y, attrs)
    _, dw_each, db_each = impl.vjp_per_example(g, [x, w, b], y, attrs, [False, True, True])
    assert dw_each.shape == (3, *w.shape) and db_each.shape == (3, 4)
    np.testing.assert_allclose(dw_each.sum(0), dw, rtol=1e-10)
    np.testing.assert_allclose(db_each.sum(0), db, rtol=1e-10)
    for i in range(3):  # each example's gradient is the batch gradient of that example alone
        yi = impl.forward([x[i:i + 1], w, b], attrs)
        np.testing.assert_allclose(impl.vjp(g[i:i + 1], [x[i:i + 1], w, b], yi, attrs)[1], dw_each[i], rtol=1e-10)


def _bundle(tmp_path, op, attrs, out_shape):
    graph = Graph([TensorSpec("x", "float32", (None, 3, 3, 2))], [TensorSpec("y", "float32", out_shape)],
                  [Node("n", op, ["x"], ["y"], attrs)], {})
    write_bundle(graph, tmp_path / op)
    return json.loads((tmp_path / op / "model.json").read_text())["opsetVersion"]


def test_a_bundle_declares_the_smallest_opset_version_that_has_its_ops(tmp_path):
    assert opset_version() == 2
    assert bundle_opset_version(["MatMul", "Relu"]) == 1 and bundle_opset_version(["Relu", "Pad"]) == 2
    assert _bundle(tmp_path, "Relu", {}, (None, 3, 3, 2)) == 1  # old runtimes still read it
    assert _bundle(tmp_path, "Pad", {"pads": [0, 0, 1, 1, 1, 1, 0, 0]}, (None, 5, 5, 2)) == 2
    assert read_bundle(tmp_path / "Pad").manifest["opsetVersion"] == 2


def test_bias_add_and_activation_fuse_into_conv2d_transpose():
    from webgrad.exporter.passes import fuse_bias_activation

    rng = np.random.default_rng(3)
    w, b = rng.standard_normal((3, 3, 4, 2)).astype(np.float32), rng.standard_normal(4).astype(np.float32)
    attrs = {"strides": [2, 2], "padding": "SAME"}
    graph = Graph([TensorSpec("x", "float32", (None, 3, 3, 2))], [TensorSpec("y", "float32", (None, 6, 6, 4))],
                  [Node("up", "Conv2DTranspose", ["x", "up/kernel"], ["z"], attrs),
                   Node("add", "Add", ["z", "up/b"], ["s"]), Node("act", "Relu", ["s"], ["y"])],
                  {"up/kernel": w, "up/b": b})
    fused = fuse_bias_activation(graph)
    assert [(n.op, n.attrs["activation"], len(n.inputs)) for n in fused.nodes] == [("Conv2DTranspose", "relu", 3)]
    x = rng.standard_normal((2, 3, 3, 2)).astype(np.float32)
    np.testing.assert_allclose(fused.run({"x": x})[0], graph.run({"x": x})[0], rtol=1e-6, atol=1e-6)
