"""The op set file and the numpy registry describe the same ops, completely."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import webgrad.ops
from webgrad.exporter.opset import DTYPES, load_opset, normalize_attrs, op_names
from webgrad.ops import REGISTRY

OPSET = load_opset()
OPS = OPSET["ops"]
ATTR_TYPES = {"int", "float", "bool", "ints", "string", "dtype", "padding"}
OPS_DIR = Path(webgrad.ops.__file__).parent


def snake(name: str) -> str:
    """MatMul -> matmul, MaxPool2D -> max_pool2d, Relu6 -> relu6, LogSoftmax -> log_softmax."""
    return "matmul" if name == "MatMul" else re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).lower()


def test_every_op_is_registered_and_nothing_else():
    assert set(REGISTRY) == set(op_names())
    assert len(op_names()) == len(set(op_names()))


@pytest.mark.parametrize("op", op_names())
def test_one_module_per_op(op):
    path = OPS_DIR / f"{snake(op)}.py"
    assert path.is_file(), f"{op} should live in authoring/ops/{snake(op)}.py"
    assert path.read_text(encoding="utf-8").count(f'register("{op}"') == 1


def test_no_stray_op_modules():
    modules = {p.stem for p in OPS_DIR.glob("*.py") if not p.stem.startswith("_") and p.stem != "registry"}
    assert modules == {snake(op) for op in op_names()}


@pytest.mark.parametrize("op", op_names())
def test_op_spec_is_well_formed(op):
    spec = OPS[op]
    assert spec["doc"] and spec["shape"]["rule"] and spec["shape"]["doc"]
    assert isinstance(spec["differentiable"], bool)
    assert set(spec["tolerance"]) == {"rtol", "atol"} and min(spec["tolerance"].values()) >= 0
    assert spec["output"]["dtype"] in (*DTYPES, "same") or re.fullmatch(r"attr:\w+", spec["output"]["dtype"])
    if spec["output"]["dtype"].startswith("attr:"):
        assert spec["attrs"][spec["output"]["dtype"][5:]]["type"] == "dtype"
    for i, inp in enumerate(spec["inputs"]):
        assert inp["name"] and inp["dtypes"] and set(inp["dtypes"]) <= set(DTYPES)
        assert not inp.get("variadic") or i == len(spec["inputs"]) - 1
        assert not (inp.get("differentiable") and not spec["differentiable"])
    for name, attr in spec["attrs"].items():
        assert attr["type"] in ATTR_TYPES, f"{op}.{name}: unknown type {attr['type']!r}"
        if attr["type"] == "string":
            assert attr["values"] and attr.get("default", attr["values"][0]) in attr["values"]
        if attr["type"] == "string" and name == "activation":
            assert attr["values"] == OPSET["activations"]["values"]
    # Defaults pass the op set's own attribute checks (required attrs without defaults are left out).
    required = {k: _example(a["type"]) for k, a in spec["attrs"].items() if "default" not in a}
    full = normalize_attrs(op, required)
    assert set(full) == set(spec["attrs"])


def _example(kind: str):
    return {"ints": [0], "dtype": "float32", "int": 0, "float": 0.0, "bool": False, "padding": "VALID"}[kind]


@pytest.mark.parametrize("op", op_names())
def test_differentiable_ops_have_a_vjp_and_the_others_none(op):
    impl = REGISTRY[op]
    assert callable(impl.forward) and callable(impl.shape)
    if OPS[op]["differentiable"]:
        assert callable(impl.vjp), f"{op} is differentiable in the op set but has no vjp"
    else:
        assert impl.vjp is None and impl.vjp_per_example is None, f"{op} is not differentiable but has a vjp"
