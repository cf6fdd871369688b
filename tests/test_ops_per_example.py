"""vjp_per_example (DP-SGD) against looping the ordinary vjp over single examples."""

from __future__ import annotations

import numpy as np
import pytest

from webgrad import raw_ops as ops
from webgrad.autodiff import gradients
from webgrad.exporter.opset import normalize_attrs
from webgrad.raw_ops import REGISTRY, ShapeError
from webgrad.tensor import Tensor, Variable

RNG = np.random.default_rng(11)
B = 3


def rand(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


# (op, inputs, attrs, per_example flags, which inputs carry the batch on axis 0, name)
CASES = [
    (
        "MatMul",
        [rand(B, 4), rand(4, 5), rand(5)],
        {"activation": "relu"},
        [False, True, True],
        [True, False, False],
        "dense_relu",
    ),
    (
        "MatMul",
        [rand(B, 4), rand(5, 4), None],
        {"transpose_b": True, "activation": "gelu"},
        [False, True, False],
        [True, False, False],
        "dense_tb_gelu",
    ),
    ("MatMul", [rand(B, 2, 4), rand(4, 5), rand(5)], {}, [False, True, True], [True, False, False], "sequence"),
    (
        "MatMul",
        [rand(B, 4, 2), rand(4, 5), None],
        {"transpose_a": True, "activation": "tanh"},
        [False, True, False],
        [True, False, False],
        "sequence_ta",
    ),
    ("MatMul", [rand(3, 4), rand(B, 4, 5), None], {}, [True, False, False], [False, True, False], "weight_on_left"),
    ("MatMul", [rand(1, 3, 4), rand(B, 4, 5), None], {}, [True, False, False], [False, True, False], "left_ones"),
    (
        "Conv2D",
        [rand(B, 5, 5, 2), rand(3, 3, 2, 4), rand(4)],
        {"padding": "SAME", "activation": "relu"},
        [False, True, True],
        [True, False, False],
        "conv",
    ),
    (
        "Conv2D",
        [rand(B, 6, 5, 4), rand(2, 3, 2, 6), rand(6)],
        {"groups": 2, "strides": [2, 1]},
        [False, True, True],
        [True, False, False],
        "grouped",
    ),
    (
        "Conv2D",
        [rand(B, 5, 5, 3), rand(3, 3, 1, 6), None],
        {"groups": 3, "padding": [1, 0, 1, 2]},
        [False, True, False],
        [True, False, False],
        "depthwise_mult",
    ),
    ("LayerNorm", [rand(B, 2, 4), rand(4), rand(4)], {}, [False, True, True], [True, False, False], "last_axis"),
    (
        "LayerNorm",
        [rand(B, 2, 4), rand(2, 4), rand(2, 4)],
        {"axis": 1},
        [False, True, False],
        [True, False, False],
        "axis1",
    ),
    (
        "BatchNorm",
        [rand(B, 2, 2, 3), rand(3), rand(3), rand(3), RNG.random(3) + 0.5],
        {},
        [False] + [True] * 4,
        [True] + [False] * 4,
        "nhwc",
    ),
    (
        "Gather",
        [rand(6, 2), np.array([[0, 5, 5], [1, -1, 2], [3, 3, 3]], np.int32)],
        {},
        [True, False],
        [False, True],
        "embedding",
    ),
    ("Gather", [rand(6, 2), np.array([4, 0, -2], np.int32)], {}, [True, False], [False, True], "one_index_each"),
]
for op in ("Add", "Sub", "Mul", "Div", "Maximum", "Minimum"):
    bias = RNG.random(4) + 1.0  # positive and away from x (Maximum/Minimum without ties, Div away from 0)
    CASES.append((op, [rand(B, 2, 4), bias], {}, [False, True], [True, False], f"{op}_param_right"))
    CASES.append((op, [bias, rand(B, 2, 4)], {}, [True, False], [False, True], f"{op}_param_left"))
    CASES.append(
        (op, [rand(B, 2, 4), RNG.random((1, 2, 1)) + 1.0], {}, [False, True], [True, False], f"{op}_param_batch_one")
    )


def _example(inputs: list, batched: list[bool], b: int) -> list:
    return [x[b : b + 1] if flag else x for x, flag in zip(inputs, batched, strict=True)]


@pytest.mark.parametrize(("op", "inputs", "attrs", "flags", "batched", "name"), CASES, ids=[c[-1] for c in CASES])
def test_per_example_equals_looping_single_examples(op, inputs, attrs, flags, batched, name):
    impl = REGISTRY[op]
    attrs = normalize_attrs(op, attrs)
    y = impl.forward(inputs, attrs)
    g = RNG.standard_normal(y.shape)
    per = impl.vjp_per_example(g, inputs, y, attrs, flags)
    whole = impl.vjp(g, inputs, y, attrs)
    for i, flag in enumerate(flags):
        if inputs[i] is None or whole[i] is None:
            assert per[i] is None
        elif flag:
            assert per[i].shape == (B, *inputs[i].shape), (i, per[i].shape)
            np.testing.assert_allclose(per[i].sum(axis=0), whole[i], rtol=1e-10, atol=1e-12)
        else:
            np.testing.assert_allclose(per[i], whole[i], rtol=1e-10, atol=1e-12)
    for b in range(B):
        one = _example(inputs, batched, b)
        yb = impl.forward(one, attrs)
        gb = impl.vjp(g[b : b + 1], one, yb, attrs)
        for i, flag in enumerate(flags):
            if flag:
                np.testing.assert_allclose(per[i][b], gb[i], rtol=1e-10, atol=1e-12, err_msg=f"example {b} input {i}")


def test_the_listed_ops_have_per_example_rules():
    want = {"MatMul", "Conv2D", "LayerNorm", "BatchNorm", "Gather", "Add", "Sub", "Mul", "Div", "Maximum", "Minimum"}
    have = {name for name, impl in REGISTRY.items() if impl.vjp_per_example is not None}
    assert want <= have
    assert want <= {c[0] for c in CASES}


@pytest.mark.parametrize(
    ("op", "inputs", "flags"),
    [
        ("Conv2D", [rand(B, 4, 4, 1), rand(2, 2, 1, 2), None], [True, False, False]),
        ("MatMul", [rand(B, 4), rand(4, 2), None], [True, False, False]),
        ("LayerNorm", [rand(B, 4), rand(4), rand(4)], [True, False, False]),
        ("Gather", [rand(B, 4), np.array([1], np.int32)], [True, False]),
        ("Add", [rand(B, 4), rand(B, 4)], [False, True]),
    ],
)
def test_per_example_of_a_batched_input_is_refused(op, inputs, flags):
    impl = REGISTRY[op]
    attrs = normalize_attrs(op, {"axis": 1} if op == "Gather" else {})
    y = impl.forward(inputs, attrs)
    with pytest.raises(ShapeError, match="per-example"):
        impl.vjp_per_example(np.ones_like(y), inputs, y, attrs, flags)


def test_autodiff_per_example_on_a_small_model():
    x = RNG.standard_normal((4, 5)).astype(np.float32)
    w1 = Variable(RNG.standard_normal((5, 6)).astype(np.float32), "w1")
    b1 = Variable(RNG.standard_normal(6).astype(np.float32), "b1")
    w2 = Variable(RNG.standard_normal((6, 3)).astype(np.float32), "w2")

    def losses(xs: np.ndarray) -> Tensor:
        h = ops.MatMul(xs, w1, b1, activation="tanh")
        return ops.ReduceSum(ops.LogSoftmax(ops.MatMul(h, w2)), axes=[1])

    per = gradients(losses(x), [w1, b1, w2], per_example=True)
    for b in range(4):
        single = gradients(losses(x[b : b + 1]), [w1, b1, w2])
        for p, s in zip(per, single, strict=True):
            np.testing.assert_allclose(p[b], s, rtol=1e-5, atol=1e-6)
