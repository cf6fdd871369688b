"""Graph passes: each computes the same outputs as before, changes the graph, and leaves its input alone."""

from __future__ import annotations

import copy
from collections import Counter
from functools import partial

import numpy as np
import pytest

import webgrad as wg
from webgrad.exporter import passes
from webgrad.exporter.capture import capture
from webgrad.exporter.graph import Graph, Node, TensorSpec

RNG = np.random.default_rng(0)


def rand(*shape, low=-1.0, high=1.0):
    return RNG.uniform(low, high, shape).astype(np.float32)


def feeds(g: Graph, batch: int = 3) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    return {s.name: rng.normal(size=tuple(batch if d is None else d for d in s.shape)).astype(s.dtype)
            for s in g.inputs}


def assert_same_function(before: Graph, after: Graph, rtol: float = 1e-5) -> None:
    after.validate()
    f = feeds(before)
    for want, got in zip(before.run(f), after.run(f), strict=True):
        scale = max(float(np.max(np.abs(want))), 1e-30)
        assert float(np.max(np.abs(got - want))) <= rtol * scale


def run_pass(fn, g: Graph, rtol: float = 1e-5) -> Graph:
    """Runs ``fn`` checking it is pure and keeps the function."""
    snapshot = copy.deepcopy(g)
    out = fn(g)
    assert [n.to_json() for n in g.nodes] == [n.to_json() for n in snapshot.nodes], "the pass edited its input"
    assert sorted(g.constants) == sorted(snapshot.constants)
    assert all(np.array_equal(g.constants[k], snapshot.constants[k]) for k in g.constants)
    assert_same_function(g, out, rtol)
    return out


def ops_of(g: Graph) -> list[str]:
    return [n.op for n in g.nodes]


def bn_params(c: int, prefix: str = "bn") -> dict[str, np.ndarray]:
    return {f"{prefix}/gamma": rand(c, low=0.5, high=2), f"{prefix}/beta": rand(c),
            f"{prefix}/mean": rand(c), f"{prefix}/var": rand(c, low=0.2, high=3)}


def bn_node(x: str, out: str, prefix: str = "bn") -> Node:
    return Node(f"{prefix}/BatchNorm", "BatchNorm", [x, *(f"{prefix}/{p}" for p in ("gamma", "beta", "mean", "var"))],
                [out], {"epsilon": 1e-3})


def image(c: int = 4) -> list[TensorSpec]:
    return [TensorSpec("x", "float32", (None, 6, 6, c))]


# ---- fold_batchnorm ----------------------------------------------------------------------------------
@pytest.mark.parametrize("groups, w_shape, bias", [
    (1, (3, 3, 4, 8), True),        # plain
    (1, (1, 1, 4, 6), False),       # pointwise, no bias (MobileNet)
    (4, (3, 3, 1, 8), False),       # depthwise, multiplier 2
    (2, (3, 3, 2, 6), True),        # grouped
])
def test_fold_batchnorm_into_conv(groups, w_shape, bias):
    out_c = w_shape[-1]
    consts = {"conv/kernel": rand(*w_shape), **bn_params(out_c)}
    ins = ["x", "conv/kernel"]
    if bias:
        consts["conv/bias"] = rand(out_c)
        ins.append("conv/bias")
    g = Graph(image(), [TensorSpec("y", "float32", (None, 6, 6, out_c))],
              [Node("conv/Conv2D", "Conv2D", ins, ["h"], {"groups": groups, "padding": "SAME"}),
               bn_node("h", "y")], consts)
    out = run_pass(passes.fold_batchnorm, g)
    assert ops_of(out) == ["Conv2D"] and out.nodes[0].outputs == ["y"] and len(out.nodes[0].inputs) == 3


@pytest.mark.parametrize("transpose_b", [False, True])
def test_fold_batchnorm_into_matmul(transpose_b):
    w = rand(5, 4) if not transpose_b else rand(4, 5)
    g = Graph([TensorSpec("x", "float32", (None, 5))], [TensorSpec("y", "float32", (None, 4))],
              [Node("d/MatMul", "MatMul", ["x", "d/kernel", "d/bias"], ["h"], {"transpose_b": transpose_b}),
               bn_node("h", "y")], {"d/kernel": w, "d/bias": rand(4), **bn_params(4)})
    out = run_pass(passes.fold_batchnorm, g)
    assert ops_of(out) == ["MatMul"]
    assert out.nodes[0].inputs == ["x", "d/kernel", "d/bias"]  # sole-reader constants keep their names


def test_fold_batchnorm_leaves_what_it_cannot_fold():
    consts = {"k": rand(3, 3, 4, 4), "k2": rand(3, 3, 4, 4), **bn_params(4), **bn_params(4, "bn2"),
              **bn_params(4, "bn3")}
    g = Graph(image(), [TensorSpec("y", "float32", (None, 6, 6, 4)), TensorSpec("z", "float32", (None, 6, 6, 4))], [
        Node("c1", "Conv2D", ["x", "k"], ["a"], {"padding": "SAME", "activation": "relu"}),
        bn_node("a", "b"),                                  # after a fused activation
        Node("c2", "Conv2D", ["b", "k2"], ["c"], {"padding": "SAME"}),
        bn_node("c", "d", "bn2"),                           # "c" has a second reader
        Node("add", "Add", ["c", "d"], ["y"]),
        bn_node("x", "z", "bn3"),                           # no conv before it
    ], consts)
    assert ops_of(passes.fold_batchnorm(g)) == ops_of(g)


def test_fold_batchnorm_with_a_shared_weight_makes_a_new_constant():
    consts = {"w": rand(4, 4), **bn_params(4)}
    g = Graph([TensorSpec("x", "float32", (None, 4))], [TensorSpec("y", "float32", (None, 4))], [
        Node("m1", "MatMul", ["x", "w"], ["h"]), bn_node("h", "a"), Node("m2", "MatMul", ["a", "w"], ["y"]),
    ], consts)
    out = run_pass(passes.fold_batchnorm, g)
    assert ops_of(out) == ["MatMul", "MatMul"]
    assert out.nodes[0].inputs[1] != "w" and out.nodes[1].inputs[1] == "w"


# ---- fuse_bias_activation ----------------------------------------------------------------------------
def test_fuse_bias_and_relu_into_matmul():
    g = Graph([TensorSpec("x", "float32", (None, 5))], [TensorSpec("y", "float32", (None, 3))], [
        Node("d/MatMul", "MatMul", ["x", "d/kernel"], ["h"]),
        Node("d/Add", "Add", ["d/b", "h"], ["z"]),           # the constant on the left
        Node("d/Relu", "Relu", ["z"], ["y"]),
    ], {"d/kernel": rand(5, 3), "d/b": rand(3)})
    out = run_pass(passes.fuse_bias_activation, g)
    assert ops_of(out) == ["MatMul"] and out.nodes[0].attrs["activation"] == "relu"
    assert out.nodes[0].inputs == ["x", "d/kernel", "d/b"] and out.nodes[0].outputs == ["y"]


@pytest.mark.parametrize("op, attrs, act", [
    ("LeakyRelu", {"alpha": 0.1}, "leaky_relu"), ("Relu6", {}, "relu6"), ("Sigmoid", {}, "sigmoid"),
    ("Tanh", {}, "tanh"), ("Gelu", {}, "gelu"),
])
def test_fuse_broadcast_bias_and_activation_into_conv(op, attrs, act):
    g = Graph(image(), [TensorSpec("y", "float32", (None, 6, 6, 5))], [
        Node("c/Conv2D", "Conv2D", ["x", "c/kernel"], ["h"], {"padding": "SAME"}),
        Node("c/Add", "Add", ["h", "c/shift"], ["z"]),
        Node(f"c/{op}", op, ["z"], ["y"], attrs),
    ], {"c/kernel": rand(3, 3, 4, 5), "c/shift": rand(1, 1, 1, 5)})
    out = run_pass(passes.fuse_bias_activation, g)
    assert ops_of(out) == ["Conv2D"] and out.nodes[0].attrs["activation"] == act
    assert out.constants[out.nodes[0].inputs[2]].shape == (5,)
    if op == "LeakyRelu":
        assert out.nodes[0].attrs["alpha"] == 0.1


def test_fuse_adds_to_an_existing_bias():
    g = Graph([TensorSpec("x", "float32", (None, 5))], [TensorSpec("y", "float32", (None, 3))], [
        Node("d", "MatMul", ["x", "w", "b"], ["h"]), Node("add", "Add", ["h", "c"], ["y"]),
    ], {"w": rand(5, 3), "b": rand(3), "c": rand(3)})
    out = run_pass(passes.fuse_bias_activation, g)
    assert ops_of(out) == ["MatMul"]


def test_fuse_leaves_what_it_cannot_fuse():
    g = Graph([TensorSpec("x", "float32", (None, 5)), TensorSpec("v", "float32", (None, 3))],
              [TensorSpec("y", "float32", (None, 3)), TensorSpec("z", "float32", (None, 3)),
               TensorSpec("t", "float32", (None, 3)), TensorSpec("u", "float32", (2, None, 3))], [
        Node("m1", "MatMul", ["x", "w"], ["a"]), Node("add", "Add", ["a", "v"], ["y"]),       # not a constant
        Node("m2", "MatMul", ["x", "w"], ["b"]), Node("g", "Gelu", ["b"], ["z"], {"approximate": True}),
        Node("m3", "MatMul", ["x", "w"], ["c"], {"activation": "relu"}), Node("add2", "Add", ["c", "k"], ["t"]),
        Node("m4", "MatMul", ["x", "w"], ["d"]), Node("add3", "Add", ["d", "big"], ["u"]),   # would broadcast
    ], {"w": rand(5, 3), "k": rand(3), "big": rand(2, 1, 3)})
    assert ops_of(passes.fuse_bias_activation(g)) == ops_of(g)


# ---- fold_constants ----------------------------------------------------------------------------------
def test_fold_constants_runs_constant_subgraphs_once():
    g = Graph([TensorSpec("x", "float32", (None, 4))], [TensorSpec("y", "float32", (None, 3))], [
        Node("t", "Transpose", ["w_t"], ["w"], {"perm": [1, 0]}),
        Node("s", "Mul", ["w", "two"], ["w2"]),
        Node("m", "MatMul", ["x", "w2"], ["y"]),
    ], {"w_t": rand(3, 4), "two": np.float32(2.0) * np.ones((), np.float32)})
    out = run_pass(passes.fold_constants, g)
    assert ops_of(out) == ["MatMul"]
    np.testing.assert_array_equal(out.constants["w2"], 2 * g.constants["w_t"].T)


def test_fold_constants_keeps_dequantize_and_does_not_grow_weights():
    g = Graph([TensorSpec("x", "float32", (None, 4))], [TensorSpec("y", "float32", (None, 4))], [
        Node("dq", "Dequantize", ["q", "scale"], ["w"], {"axis": 1}),
        Node("grow", "Add", ["row", "col"], ["m"]),          # [1, 4] + [4, 1] -> [4, 4]
        Node("mm", "MatMul", ["x", "w"], ["h"]), Node("add", "Add", ["h", "m"], ["y"]),
    ], {"q": np.ones((4, 4), np.int8), "scale": rand(4), "row": rand(1, 4), "col": rand(4, 1)})
    assert ops_of(passes.fold_constants(g)) == ops_of(g)


# ---- remove_identities -------------------------------------------------------------------------------
def test_remove_identities_drops_every_kind():
    g = Graph([TensorSpec("x", "float32", (None, 4))], [TensorSpec("y", "float32", (None, 4))], [
        Node("r", "Reshape", ["x"], ["a"], {"shape": [0, 4]}),
        Node("r2", "Reshape", ["a"], ["a2"], {"shape": [-1, 4]}),
        Node("t", "Transpose", ["a2"], ["b"], {"perm": [0, 1]}),
        Node("c", "Cast", ["b"], ["c"], {"to": "float32"}),
        Node("cat", "Concat", ["c"], ["d"], {"axis": 1}),
        Node("s", "Slice", ["d"], ["e"], {"starts": [0, 0], "ends": [2**31 - 1, 4]}),
        Node("f", "Flatten", ["e"], ["f"]),
        Node("add0", "Add", ["zero", "f"], ["g"]),
        Node("mul1", "Mul", ["g", "one"], ["h"]),
        Node("div1", "Div", ["h", "one"], ["i"]),
        Node("relu", "Relu", ["i"], ["j"]),
        Node("sub0", "Sub", ["j", "zero"], ["y"]),            # the graph output: Relu takes its name
    ], {"zero": np.zeros(4, np.float32), "one": np.ones((1, 4), np.float32)})
    out = run_pass(passes.remove_identities, g)
    assert ops_of(out) == ["Relu"] and out.nodes[0].inputs == ["x"] and out.nodes[0].outputs == ["y"]


def test_remove_identities_keeps_real_work():
    g = Graph([TensorSpec("x", "float32", (None, 4))],
              [TensorSpec("y", "float32", (None, 2, 2)), TensorSpec("z", "float32", (None, 4)),
               TensorSpec("w", "float32", (None, 4)), TensorSpec("v", "float32", (None, 2))], [
        Node("r", "Reshape", ["x"], ["y"], {"shape": [0, 2, 2]}),
        Node("neg", "Sub", ["zero", "x"], ["z"]),            # 0 - x
        Node("grow", "Add", ["x", "zeros2"], ["w0"]),          # broadcasting grows the tensor
        Node("red", "ReduceSum", ["w0"], ["w"], {"axes": [0]}),
        Node("s", "Slice", ["x"], ["v"], {"starts": [0], "ends": [2], "axes": [1]}),
    ], {"zero": np.zeros((), np.float32), "zeros2": np.zeros((2, 1, 4), np.float32)})
    assert ops_of(passes.remove_identities(g)) == ops_of(g)


def test_identity_from_input_to_output_stays():
    g = Graph([TensorSpec("x", "float32", (None, 4))], [TensorSpec("y", "float32", (None, 4))],
              [Node("r", "Reshape", ["x"], ["y"], {"shape": [0, 4]})], {})
    assert ops_of(passes.remove_identities(g)) == ["Reshape"]


# ---- remove_dead -------------------------------------------------------------------------------------
def test_remove_dead_drops_unused_nodes_and_constants():
    g = Graph([TensorSpec("x", "float32", (None, 4))], [TensorSpec("y", "float32", (None, 4))], [
        Node("used", "Mul", ["x", "k"], ["y"]),
        Node("dead1", "Exp", ["x"], ["e"]), Node("dead2", "Add", ["e", "unused"], ["f"]),
    ], {"k": rand(4), "unused": rand(4), "orphan": rand(2)})
    out = run_pass(passes.remove_dead, g)
    assert ops_of(out) == ["Mul"] and sorted(out.constants) == ["k"]


# ---- optimize ----------------------------------------------------------------------------------------
def test_optimize_mobilenet_folds_every_batchnorm_and_activation(randomize_batchnorm):
    g = capture(randomize_batchnorm(wg.zoo.mobilenet_v2_style((32, 32, 3))))
    out = run_pass(passes.optimize, g)
    before, after = Counter(ops_of(g)), Counter(ops_of(out))
    assert before["BatchNorm"] == 16 and before["Relu6"] == 11
    assert after == Counter({"Conv2D": 16, "Add": 3, "GlobalAvgPool": 1, "MatMul": 1, "Softmax": 1})
    assert sum(n.attrs.get("activation") == "relu6" for n in out.nodes) == 11
    assert not any(k.startswith("batch_normalization") for k in out.constants)


def test_optimize_keeps_the_mnist_cnn_and_reaches_a_fixed_point():
    g = capture(wg.zoo.mnist_cnn())
    out = passes.optimize(g)
    assert ops_of(out) == ops_of(g)  # already fused by its layers: nothing to do
    again = passes.optimize(out)
    assert [n.to_json() for n in again.nodes] == [n.to_json() for n in out.nodes]


def test_infer_shapes_gives_symbolic_shapes():
    g = capture(wg.zoo.mnist_cnn())
    shapes = passes.infer_shapes(g)
    assert shapes[g.outputs[0].name] == ((None, 10), "float32")
    assert shapes[g.nodes[0].outputs[0]] == ((None, 26, 26, 32), "float32")


# ---- deep graphs: linear-time passes, same result as before -------------------------------------------
def deep_chain(blocks: int) -> Graph:
    """``blocks`` times MatMul -> BatchNorm -> Add(vector) -> Relu -> identity Reshape, the last Reshape the
    graph output. Each block's weights contract (``0.5 I`` plus noise), so the values stay near 1 at any
    depth and the numpy outputs before and after optimizing can be compared."""
    rng = np.random.default_rng(7)
    nodes, consts, x = [], {}, "x"
    for k in range(blocks):
        p = f"b{k}"
        consts[f"{p}/kernel"] = (0.5 * np.eye(4) + rng.uniform(-0.05, 0.05, (4, 4))).astype(np.float32)
        consts[f"{p}/bias"] = rng.uniform(0.2, 0.6, 4).astype(np.float32)  # the fold's bias gets `_1`
        consts.update({f"{p}/gamma": np.ones(4, np.float32), f"{p}/beta": rng.uniform(-0.1, 0.1, 4).astype(np.float32),
                       f"{p}/mean": np.zeros(4, np.float32), f"{p}/var": np.ones(4, np.float32)})
        out = "y" if k == blocks - 1 else f"{p}/out"
        nodes += [Node(f"{p}/mm", "MatMul", [x, f"{p}/kernel"], [f"{p}/h"]),
                  Node(f"{p}/bn", "BatchNorm", [f"{p}/h", *(f"{p}/{q}" for q in ("gamma", "beta", "mean", "var"))],
                       [f"{p}/n"], {"epsilon": 1e-3}),
                  Node(f"{p}/add", "Add", [f"{p}/n", f"{p}/bias"], [f"{p}/z"]),
                  Node(f"{p}/relu", "Relu", [f"{p}/z"], [f"{p}/r"]),
                  Node(f"{p}/reshape", "Reshape", [f"{p}/r"], [out], {"shape": [-1, 4]})]
        x = out
    return Graph([TensorSpec("x", "float32", (None, 4))], [TensorSpec("y", "float32", (None, 4))], nodes, consts)


def expected_block(k: int, blocks: int) -> tuple[str, list[str], list[str]]:
    """Block ``k`` of an optimized ``deep_chain``: one MatMul with the folded weight (in place), the folded
    and summed bias under ``b{k}/bias_1`` (``b{k}/bias`` was taken) and relu; no Reshape left."""
    p, prev = f"b{k}", "x" if k == 0 else f"b{k - 1}/r"
    return f"{p}/mm", [prev, f"{p}/kernel", f"{p}/bias_1"], ["y" if k == blocks - 1 else f"{p}/r"]


@pytest.mark.parametrize("blocks", [3, 3000])
def test_optimize_deep_chain_gives_the_short_chains_result_at_every_depth(blocks):
    g = deep_chain(blocks)
    out = run_pass(passes.optimize, g, rtol=1e-4)
    assert len(out.nodes) == blocks
    for k, n in enumerate(out.nodes):
        assert (n.name, n.inputs, n.outputs) == expected_block(k, blocks)
        assert (n.op, n.attrs["activation"]) == ("MatMul", "relu")
    assert sorted(out.constants) == sorted(c for k in range(blocks) for c in (f"b{k}/kernel", f"b{k}/bias_1"))


@pytest.mark.parametrize("blocks", [3, 3000])
def test_trainable_passes_on_a_deep_chain_keep_every_weight(blocks):
    g = deep_chain(blocks)
    out = run_pass(partial(passes.optimize, passes=passes.TRAINABLE_PASSES), g)
    assert ops_of(out) == ["MatMul", "BatchNorm", "Add", "Relu"] * blocks
    assert sorted(out.constants) == sorted(g.constants)
    assert out.nodes[-1].outputs == ["y"]  # the Relu makes the output once the last Reshape is gone


# What the passes made of these graphs before they kept lookup tables; the tables must not change it.
def shared_vector_graph() -> Graph:
    """Two MatMuls add the same vector ``v``: the first gets a fresh bias (``v`` has another reader),
    the second then takes ``v`` itself, which the next Add is summed into."""
    w = np.eye(4, dtype=np.float32)
    return Graph([TensorSpec("x", "float32", (None, 4))],
                 [TensorSpec("y1", "float32", (None, 4)), TensorSpec("y2", "float32", (None, 4))],
                 [Node("a/mm", "MatMul", ["x", "a/kernel"], ["a/h"]), Node("a/add", "Add", ["a/h", "v"], ["a/z"]),
                  Node("a/relu", "Relu", ["a/z"], ["y1"]),
                  Node("b/mm", "MatMul", ["x", "b/kernel"], ["b/h"]), Node("b/add", "Add", ["v", "b/h"], ["b/z"]),
                  Node("b/add2", "Add", ["b/z", "v2"], ["b/z2"]), Node("b/tanh", "Tanh", ["b/z2"], ["y2"])],
                 {"a/kernel": w, "b/kernel": 2 * w, "v": np.arange(4, dtype=np.float32), "v2": np.ones(4, np.float32)})


def renamed_identities_graph() -> Graph:
    """Identities in a row, the last one a graph output: the Tanh ends up making ``y``, read by the Sigmoid."""
    return Graph([TensorSpec("x", "float32", (None, 4))],
                 [TensorSpec("y", "float32", (None, 4)), TensorSpec("s", "float32", (None, 4))],
                 [Node("t", "Tanh", ["x"], ["a"]), Node("r1", "Reshape", ["a"], ["b"], {"shape": [-1, 4]}),
                  Node("s", "Sigmoid", ["b"], ["s"]), Node("r2", "Reshape", ["b"], ["c"], {"shape": [0, 4]}),
                  Node("r3", "Flatten", ["c"], ["y"])], {})


def reused_name_graph() -> Graph:
    """A name a merge frees is free again: the first fold's bias is ``k/bias_1`` (``k/bias`` is still its
    MatMul's output), the second fold's is ``k/bias``."""
    bn = {"g": np.ones(3, np.float32), "be": np.zeros(3, np.float32), "mu": np.zeros(3, np.float32),
          "va": np.ones(3, np.float32)}
    return Graph([TensorSpec("x", "float32", (None, 3))], [TensorSpec("y", "float32", (None, 3))],
                 [Node("m1", "MatMul", ["x", "k/w"], ["k/bias"]),
                  Node("n1", "BatchNorm", ["k/bias", "g", "be", "mu", "va"], ["h"], {"epsilon": 1e-3}),
                  Node("m2", "MatMul", ["h", "k/w2"], ["m2/out"]),
                  Node("n2", "BatchNorm", ["m2/out", "g", "be", "mu", "va"], ["y"], {"epsilon": 1e-3})],
                 {"k/w": np.ones((3, 3), np.float32), "k/w2": 2 * np.ones((3, 3), np.float32), **bn})


@pytest.mark.parametrize("make, want_nodes, want_constants", [
    (shared_vector_graph, [["a/mm", "MatMul", ["x", "a/kernel", "a/bias"], ["y1"], "relu"],
                           ["b/mm", "MatMul", ["x", "b/kernel", "v"], ["y2"], "tanh"]],
     ["a/bias", "a/kernel", "b/kernel", "v"]),
    (renamed_identities_graph, [["t", "Tanh", ["x"], ["y"], None], ["s", "Sigmoid", ["y"], ["s"], None]], []),
    (reused_name_graph, [["m1", "MatMul", ["x", "k/w", "k/bias_1"], ["h"], "none"],
                         ["m2", "MatMul", ["h", "k/w2", "k/bias"], ["y"], "none"]],
     ["k/bias", "k/bias_1", "k/w", "k/w2"]),
])
def test_optimize_names_and_merges_as_it_always_did(make, want_nodes, want_constants):
    out = run_pass(passes.optimize, make())
    assert [[n.name, n.op, n.inputs, n.outputs, n.attrs.get("activation")] for n in out.nodes] == want_nodes
    assert sorted(out.constants) == want_constants
