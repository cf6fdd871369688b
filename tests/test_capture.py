"""Graph capture: a model's inference graph, traced from its own call, computes what the model does."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

import webgrad as wg
from webgrad.exporter.capture import CaptureError, capture
from webgrad.layers import Layer
from webgrad.tensor import SymbolicTensor, Tensor


def _run(graph, *xs):
    outs = graph.run({spec.name: x for spec, x in zip(graph.inputs, xs, strict=True)})
    return outs[0] if len(outs) == 1 else outs


def _close(got, want, tol=1e-6):
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("make", [wg.zoo.mnist_mlp, wg.zoo.mnist_cnn, wg.zoo.mobilenet_v2_style])
def test_zoo_graphs_compute_what_the_model_does(make):
    model = make()
    g = capture(model)
    g.validate()
    assert [s.shape[0] for s in g.inputs] == [None] and g.inputs[0].name == model.inputs[0].history[0].name
    assert g.outputs[0].name == model.outputs[0].history[0].name and g.outputs[0].shape == (None, 10)
    assert set(g.constants) == {w.name for w in model.weights}
    x = np.random.default_rng(0).random((3, *model.inputs[0].shape[1:]), dtype=np.float32)
    _close(_run(g, x), model.predict(x))


def test_node_and_constant_names_follow_layers():
    model = wg.Sequential([wg.Input((4,), name="features"), wg.layers.Dense(8, activation="relu", name="hidden"),
                           wg.layers.Dropout(0.5), wg.layers.Dense(3, activation="softmax", name="probs")])
    g = capture(model)
    assert [(n.name, n.op) for n in g.nodes] == [("hidden/MatMul", "MatMul"), ("probs/MatMul", "MatMul"),
                                                ("probs/Softmax", "Softmax")]  # Dropout left no node
    assert g.nodes[0].inputs == ["features", "hidden/kernel", "hidden/bias"]
    assert g.nodes[0].attrs["activation"] == "relu"
    assert g.nodes[1].inputs[0] == "hidden/MatMul"
    assert g.outputs[0].name == "probs" and g.nodes[-1].outputs == ["probs"]


def test_batchnorm_is_the_inference_op_and_dropout_vanishes():
    model = wg.Sequential([wg.Input((6,)), wg.layers.Dense(5), wg.layers.BatchNormalization(),
                           wg.layers.Dropout(0.3), wg.layers.Activation("relu")])
    ops = [n.op for n in capture(model).nodes]
    assert ops == ["MatMul", "BatchNorm", "Relu"]


def test_shared_layer_is_one_set_of_constants_and_unique_node_names():
    a, b = wg.Input((4,), name="a"), wg.Input((4,), name="b")
    shared = wg.layers.Dense(3, name="shared")
    out = wg.layers.Add(name="sum")([shared(a), shared(b)])
    g = capture(wg.Model([a, b], out))
    assert sorted(g.constants) == ["shared/bias", "shared/kernel"]
    names = [n.name for n in g.nodes]
    assert names == ["shared/MatMul", "shared/MatMul_1", "sum/Add"] and len(set(names)) == len(names)
    xa, xb = np.ones((2, 4), np.float32), np.full((2, 4), 2, np.float32)
    model = wg.Model([a, b], out)
    _close(_run(g, xa, xb), model.predict([xa, xb]))


def test_several_inputs_and_outputs_keep_their_names_and_shapes():
    ids = wg.Input((5,), dtype="int32", name="ids")
    extra = wg.Input((3,), name="extra")
    h = wg.layers.GlobalAveragePooling1D()(wg.layers.Embedding(20, 4, name="emb")(ids))
    h = wg.layers.Concatenate(name="join")([h, extra])
    probs = wg.layers.Dense(2, activation="softmax", name="probs")(h)
    score = wg.layers.Dense(1, activation="sigmoid", name="score")(h)
    model = wg.Model([ids, extra], [probs, score])
    g = capture(model)
    assert [(s.name, s.dtype, s.shape) for s in g.inputs] == [("ids", "int32", (None, 5)),
                                                             ("extra", "float32", (None, 3))]
    assert [(s.name, s.shape) for s in g.outputs] == [("probs", (None, 2)), ("score", (None, 1))]
    assert Counter(n.op for n in g.nodes)["Gather"] == 1
    x_ids = np.random.default_rng(0).integers(0, 20, (4, 5)).astype(np.int32)
    x_extra = np.ones((4, 3), np.float32)
    for got, want in zip(_run(g, x_ids, x_extra), model.predict([x_ids, x_extra]), strict=True):
        _close(got, want)


def test_nested_model_scopes_its_nodes():
    inner = wg.Sequential([wg.Input((4,)), wg.layers.Dense(3, name="inner_dense")], name="inner")
    x = wg.Input((4,), name="x")
    model = wg.Model(x, wg.layers.Dense(2, name="head")(inner(x)))
    g = capture(model)
    assert [n.name for n in g.nodes] == ["inner/inner_dense/MatMul", "head/MatMul"]
    v = np.ones((1, 4), np.float32)
    _close(_run(g, v), model.predict(v))


def test_python_numbers_and_arrays_become_constants_deduplicated():
    class Centered(Layer):
        def call(self, x, training=False):
            return (x - np.float32(0.5)) * np.float32(2) + (x - np.float32(0.5))

    model = wg.Sequential([wg.Input((3,)), Centered(name="centered")])
    g = capture(model)
    assert [n.op for n in g.nodes] == ["Sub", "Mul", "Sub", "Add"]
    assert len(g.constants) == 2  # 0.5 once, 2.0 once
    assert all(v.dtype == np.float32 for v in g.constants.values())
    assert all(name.startswith("centered/const") for name in g.constants)
    x = np.array([[0.0, 1.0, 2.0]], np.float32)
    _close(_run(g, x), 3 * (x - 0.5))


def test_capture_leaves_the_model_usable():
    model = wg.zoo.mnist_mlp()
    capture(model)
    assert all("call" not in vars(layer) for layer in model.layers)  # the per-layer checks are removed
    assert model.predict(np.zeros((1, 784), np.float32)).shape == (1, 10)


# ---- layers with no op mapping ---------------------------------------------------------------------
class NumpyTanh(Layer):
    """Computes with numpy: fine eagerly, and it fakes its output shape for model building."""

    def call(self, x, training=False):
        if isinstance(x, SymbolicTensor):
            return SymbolicTensor(x.shape, x.dtype)
        return Tensor(np.tanh(np.asarray(x)))


class BreaksLater(Layer):
    broken = False

    def call(self, x, training=False):
        if self.broken:
            raise TypeError("operand 'SymbolicTensor' does not support ufuncs")
        return wg.raw_ops.Relu(x)


def test_layer_returning_an_untraced_tensor_is_named():
    model = wg.Sequential([wg.Input((4,)), wg.layers.Dense(3), NumpyTanh(name="foo")])
    with pytest.raises(CaptureError, match=r"layer 'foo' \(NumpyTanh\) has no op mapping: .*no op-set op made"):
        capture(model)
    assert "call" not in vars(model.layers[-1])


def test_layer_failing_on_symbolic_inputs_is_named_even_when_nested():
    bad = BreaksLater(name="bad")
    inner = wg.Sequential([wg.Input((4,)), bad], name="inner")
    x = wg.Input((4,))
    model = wg.Model(x, wg.layers.Dense(2)(inner(x)))
    bad.broken = True
    with pytest.raises(CaptureError, match=r"layer 'bad' \(BreaksLater\) has no op mapping: .*TypeError") as e:
        capture(model)
    assert e.value.layer == "bad"


def test_unbuilt_model_is_refused():
    with pytest.raises(CaptureError, match="not built"):
        capture(wg.Sequential([wg.layers.Dense(3)]))
