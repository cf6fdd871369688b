"""``wg.load_model``: any bundle back as a trainable model that computes what the bundle does."""

from __future__ import annotations

import numpy as np
import pytest

import webgrad as wg
from webgrad.exporter.bundle_writer import write_bundle
from webgrad.exporter.graph import Graph, Node, TensorSpec
from webgrad.exporter.runner import load_bundle
from webgrad.layers.op_layer import OpLayer
from webgrad.load import model_from_graph


def _x(shape, n=6, seed=0):
    return np.random.default_rng(seed).random((n, *shape), dtype=np.float32)


def _types(model):
    return [type(la).__name__ for la in model.layers]


def _same_as_bundle(model, path, x, tol=1e-5):
    np.testing.assert_allclose(model.predict(x), load_bundle(path).predict(x), rtol=tol, atol=tol)


def test_mlp_loads_as_dense_layers(tmp_path):
    wg.export(wg.zoo.mnist_mlp(32), tmp_path / "b", labels=list("0123456789"), verbose=0)
    model = wg.load_model(tmp_path / "b")
    assert _types(model) == ["InputLayer", "Dense", "Dense", "OpLayer"]
    assert model.layers[1].activation == "relu" and model.layers[2].units == 10
    assert model.bundle_metadata["labels"] == list("0123456789") and model.name == "mnist_mlp"
    _same_as_bundle(model, tmp_path / "b", _x((784,)))


def test_folded_mobilenet_loads_as_convolutions(tmp_path, randomize_batchnorm):
    source = randomize_batchnorm(wg.zoo.mobilenet_v2_style((32, 32, 3)))
    wg.export(source, tmp_path / "b", verbose=0)
    model = wg.load_model(tmp_path / "b")
    types = _types(model)
    assert types.count("Conv2D") == 11 and types.count("DepthwiseConv2D") == 5 and "BatchNormalization" not in types
    depthwise = next(la for la in model.layers if isinstance(la, wg.layers.DepthwiseConv2D))
    assert depthwise.activation == "relu6" and depthwise.use_bias and depthwise.padding == "SAME"
    x = _x((32, 32, 3))
    _same_as_bundle(model, tmp_path / "b", x)
    np.testing.assert_allclose(model.predict(x), source.predict(x), atol=1e-5)


def test_unoptimized_bundle_keeps_norm_and_embedding_layers(tmp_path, randomize_batchnorm):
    ids = wg.Input((6,), dtype="int32", name="ids")
    h = wg.layers.Embedding(30, 8, name="emb")(ids)
    h = wg.layers.LayerNormalization(name="ln")(h)
    h = wg.layers.GlobalAveragePooling1D()(h)
    h = wg.layers.BatchNormalization(name="bn")(wg.layers.Dense(5, name="d")(h))
    source = randomize_batchnorm(wg.Model(ids, wg.layers.Dense(3, activation="softmax", name="out")(h)))
    wg.export(source, tmp_path / "b", optimize=False, verbose=0)
    model = wg.load_model(tmp_path / "b")
    assert {"Embedding", "LayerNormalization", "BatchNormalization", "Dense"} <= set(_types(model))
    x = np.random.default_rng(0).integers(0, 30, (5, 6)).astype(np.int32)
    _same_as_bundle(model, tmp_path / "b", x)
    bn = model.get_layer("bn")
    np.testing.assert_array_equal(bn.moving_variance.numpy(), source.get_layer("bn").moving_variance.numpy())


def test_loaded_model_trains(tmp_path):
    wg.export(wg.zoo.mnist_cnn(), tmp_path / "b", quantize="int8", verbose=0)
    model = wg.load_model(tmp_path / "b")  # int8 weights come back dequantized, as float32
    x, y = _x((28, 28, 1), 16), np.arange(16) % 10
    model.compile(optimizer=wg.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    kernel = model.layers[1].kernel.numpy().copy()
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, batch_size=8, epochs=3, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before
    assert not np.array_equal(model.layers[1].kernel.numpy(), kernel)


def test_export_load_export_keeps_function_and_signature(tmp_path, randomize_batchnorm):
    source = randomize_batchnorm(wg.zoo.mobilenet_v2_style((16, 16, 3), width=8))
    wg.export(source, tmp_path / "a", verbose=0)
    first = wg.load_model(tmp_path / "a")
    wg.export(first, tmp_path / "b", verbose=0)
    second = wg.load_model(tmp_path / "b")
    x = _x((16, 16, 3))
    np.testing.assert_allclose(second.predict(x), first.predict(x), atol=1e-6)
    assert load_bundle(tmp_path / "b").signature == load_bundle(tmp_path / "a").signature
    assert _types(second) == _types(first)


def test_loaded_model_config_round_trips(tmp_path):
    wg.export(wg.zoo.mnist_cnn(), tmp_path / "b", verbose=0)
    model = wg.load_model(tmp_path / "b")
    rebuilt = wg.models.model_from_config({"class_name": "Model", "config": model.get_config()})
    rebuilt.set_weights(model.get_weights())
    x = _x((28, 28, 1), 3)
    np.testing.assert_array_equal(rebuilt.predict(x), model.predict(x))
    assert _types(rebuilt) == _types(model)


def _graph_bundle(tmp_path, graph):
    write_bundle(graph, tmp_path / "g")
    return tmp_path / "g"


def test_ops_without_a_layer_become_op_layers_with_trainable_constants(tmp_path):
    rng = np.random.default_rng(0)
    g = Graph([TensorSpec("x", "float32", (None, 5, 5, 2))], [TensorSpec("y", "float32", (None, 3))], [
        Node("pad_conv", "Conv2D", ["x", "k", "b"], ["c"], {"padding": [1, 0, 0, 1], "activation": "relu"}),
        Node("scale", "Mul", ["c", "s"], ["m"]),
        Node("pool", "GlobalAvgPool", ["m"], ["p"]),
        Node("lrelu_dense", "MatMul", ["p", "w"], ["y"], {"activation": "leaky_relu", "alpha": 0.05}),
    ], {"k": rng.normal(size=(3, 3, 2, 4)).astype(np.float32), "b": np.zeros(4, np.float32),
        "s": np.full(4, 2.0, np.float32), "w": rng.normal(size=(4, 3)).astype(np.float32)})
    path = _graph_bundle(tmp_path, g)
    model = wg.load_model(path)
    assert _types(model) == ["InputLayer", "OpLayer", "OpLayer", "OpLayer", "OpLayer"]
    conv = model.layers[1]
    assert conv.op == "Conv2D" and conv.signature == ["x", "w", "w"] and len(conv.trainable_weights) == 2
    x = _x((5, 5, 2))
    _same_as_bundle(model, path, x)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((6, 3), np.float32), epochs=1, verbose=0)
    assert not np.array_equal(conv.weights[0].numpy(), g.constants["k"])


def test_constant_only_nodes_are_folded_at_load(tmp_path):
    g = Graph([TensorSpec("x", "float32", (None, 3))], [TensorSpec("y", "float32", (None, 2))], [
        Node("wt", "Transpose", ["w_t"], ["w"], {"perm": [1, 0]}),
        Node("mm", "MatMul", ["x", "w"], ["y"]),
    ], {"w_t": np.arange(6, dtype=np.float32).reshape(2, 3)})
    path = _graph_bundle(tmp_path, g)
    model = wg.load_model(path)
    assert _types(model) == ["InputLayer", "Dense"]
    _same_as_bundle(model, path, _x((3,)))


def test_output_computed_from_constants_only_says_so():
    # was "reads only constants; fold the graph's constants first", though folding could not help
    g = Graph([TensorSpec("x", "float32", (None, 3))], [TensorSpec("y", "float32", (3,))],
              [Node("e", "Exp", ["c"], ["y"])], {"c": np.zeros(3, np.float32)})
    with pytest.raises(ValueError, match=r"graph output 'y' is computed by node 'e' \(Exp\) from constants only"):
        model_from_graph(g)


def test_constant_subgraphs_that_folding_skips_still_load(tmp_path):
    # fold_constants leaves a constant Add that broadcasts to more values than its inputs hold;
    # loading used to stop there with "fold the graph's constants first"
    g = Graph([TensorSpec("x", "float32", (None, 3, 4))], [TensorSpec("y", "float32", (None, 3, 4))], [
        Node("grid/Add", "Add", ["row", "col"], ["grid"]),
        Node("shift/Add", "Add", ["x", "grid"], ["y"]),
    ], {"row": np.arange(4, dtype=np.float32), "col": np.arange(3, dtype=np.float32).reshape(3, 1) * 10})
    path = _graph_bundle(tmp_path, g)
    model = wg.load_model(path)
    assert _types(model) == ["InputLayer", "OpLayer"]
    np.testing.assert_array_equal(model.layers[1].weights[0].numpy(), g.constants["row"] + g.constants["col"])
    _same_as_bundle(model, path, _x((3, 4)))


@pytest.mark.parametrize("meta,field", [
    ({"model_config": ["Sequential"]}, "metadata.model_config must be an object"),
    ({"model_config": "Sequential"}, "metadata.model_config must be an object"),
    ({"model_config": {"class_name": "Model", "config": 7}}, "metadata.model_config.config must be an object"),
    ({"model_config": {"class_name": "Model", "config": {"name": ["m"]}}},
     "metadata.model_config.config.name must be a string"),
])
def test_malformed_model_config_is_a_bundle_error_naming_the_field(tmp_path, bundle_graph, meta, field):
    from webgrad.exporter.bundle_errors import BundleError

    write_bundle(bundle_graph("mlp"), tmp_path / "b", metadata=meta)
    with pytest.raises(BundleError, match=field) as err:  # was AttributeError: 'list' has no attribute 'get'
        wg.load_model(tmp_path / "b")
    assert err.value.code == "ESCHEMA" and "model.json" in str(err.value)


def test_model_config_without_a_name_uses_the_folder_name(tmp_path, bundle_graph):
    write_bundle(bundle_graph("mlp"), tmp_path / "folder", metadata={"model_config": {"class_name": "Model"}})
    assert wg.load_model(tmp_path / "folder").name == "folder"


def test_thousand_layer_sequential_trains_exports_and_loads(tmp_path):
    # every graph walk is iterative: this used to raise RecursionError in Model._init_graph
    depth = 1200
    model = wg.Sequential([wg.Input((4,), name="x")]
                          + [wg.layers.Dense(4, name=f"d{i}") if i % 2 else wg.layers.Activation("tanh", name=f"a{i}")
                             for i in range(depth)])
    assert len(model.layers) == depth
    model.compile(optimizer="sgd", loss="mse")
    x, y = _x((4,), 8), _x((4,), 8, seed=1)
    before = model.get_weights()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    expected = model.predict(x)
    assert expected.shape == (8, 4) and np.isfinite(expected).all()
    assert model.summary(print_fn=None).count("Dense") == depth // 2
    rebuilt = wg.models.model_from_config({"class_name": "Sequential", "config": model.get_config()})
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_array_equal(rebuilt.predict(x), expected)

    wg.export(model, tmp_path / "deep", verbose=0)
    loaded = wg.load_model(tmp_path / "deep")
    np.testing.assert_allclose(loaded.predict(x), expected, rtol=1e-5, atol=1e-6)
    loaded.compile(optimizer="sgd", loss="mse")
    loaded.fit(x, y, batch_size=8, epochs=1, verbose=0)
    again = wg.models.model_from_config({"class_name": "Model", "config": loaded.get_config()})
    assert len(again.layers) == len(loaded.layers)


def test_hundred_thousand_node_chain_loads(tmp_path):
    n = 100_000
    nodes = [Node(f"r{i}/Relu" if i % 2 else f"c{i}/Relu6", "Relu" if i % 2 else "Relu6",
                  [f"t{i}" if i else "x"], [f"t{i + 1}" if i < n - 1 else "y"]) for i in range(n)]
    g = Graph([TensorSpec("x", "float32", (None, 3))], [TensorSpec("y", "float32", (None, 3))], nodes, {})
    write_bundle(g, tmp_path / "chain")
    model = wg.load_model(tmp_path / "chain")
    assert len(model.layers) == n + 1
    x = np.array([[-2.0, 3.0, 9.0]], np.float32)
    np.testing.assert_array_equal(model.predict(x), np.clip(x, 0, 6))
    assert len(model.summary(print_fn=None).splitlines()) > n


def test_op_layer_checks_its_signature():
    with pytest.raises(ValueError, match="signature"):
        OpLayer("Add", signature=["x", "q"])
    with pytest.raises(ValueError, match="weight_specs"):
        OpLayer("Add", signature=["x", "w"])
    with pytest.raises(ValueError, match="at least one 'x'"):
        OpLayer("Exp", signature=["w"], weight_specs=[{"shape": [2], "dtype": "float32"}])
