"""The op set file and the numpy registry describe the same ops, completely; and the coverage table
(exporter/coverage.json) says where each op lives on all five implementations, checked against the
code: the numpy registry, the JAX lowerings, the js kernels, the wasm build's exports and glue, the
WebGPU programs and shader keys, and the files on disk."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest

import webgrad.raw_ops
from webgrad.exporter import coverage
from webgrad.exporter.coverage import (
    IMPLEMENTATIONS,
    ROOT,
    CoverageError,
    Observed,
    check,
    load_table,
    observe,
    shader_ops,
    snake,
    wasm_exports,
)
from webgrad.exporter.opset import DTYPES, load_opset, normalize_attrs, op_names
from webgrad.raw_ops import REGISTRY

OPSET = load_opset()
OPS = OPSET["ops"]
ATTR_TYPES = {"int", "float", "bool", "ints", "string", "dtype", "padding"}
OPS_DIR = Path(webgrad.raw_ops.__file__).parent
TABLE = load_table()
ROWS = [*TABLE["ops"], *TABLE["gradOps"]]  # the op rows and the gradient-op rows: one registry per backend holds both


def test_every_op_is_registered_and_nothing_else():
    assert set(REGISTRY) == set(op_names())
    assert len(op_names()) == len(set(op_names()))


@pytest.mark.parametrize("op", op_names())
def test_one_module_per_op(op):
    path = OPS_DIR / f"{snake(op)}.py"
    assert path.is_file(), f"{op} should live in authoring/raw_ops/{snake(op)}.py"
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


# ---- the coverage table against the code -----------------------------------------------------------


@pytest.fixture(scope="module")
def observed() -> Observed:
    if shutil.which("node") is None:
        pytest.skip("no node on PATH: the JS registries cannot be read")
    return observe()


@pytest.fixture(scope="module")
def problems(observed: Observed) -> list[coverage.Problem]:
    return check(TABLE, observed)


def test_the_table_has_every_op_of_the_op_set_and_five_cells_each():
    assert list(TABLE["ops"]) == op_names()
    for op, row in TABLE["ops"].items():
        assert list(row) == list(IMPLEMENTATIONS), op


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_each_column_of_the_table_matches_the_code(problems, implementation):
    mine = [str(p) for p in problems if p.implementation in (implementation, "*")]
    assert not mine, "exporter/coverage.json and the code disagree:\n" + "\n".join(mine)


def test_every_observed_registry_was_read(observed):
    # an empty registry would make the comparison vacuous: each one knows most of the op set
    for name in ("numpy", "jax", "js", "wasm_exports", "wasm_glue", "webgpu_programs", "webgpu_shaders"):
        assert len(getattr(observed, name)) >= 30, name
    assert {"Reshape", "Flatten"} <= observed.alias_ops <= {"Reshape", "Flatten", "ReshapeLike"}


# ---- a deliberately missing kernel fails, naming the op and the implementation -----------------------


def _tree_of_listed_files(tmp_path: Path) -> Path:
    """A repository copy holding only the table's files (symlinks), for the file checks."""
    for op in ROWS:
        for impl in IMPLEMENTATIONS:
            for rel in coverage.cell(TABLE, op, impl).files:
                if (ROOT / rel).is_file() and not (tmp_path / rel).exists():  # a shared file is in two cells
                    (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
                    (tmp_path / rel).symlink_to(ROOT / rel)
    return tmp_path


def _consistent_observed() -> Observed:
    """What the code would have if it matched the table exactly."""
    has = {i: {op for op in ROWS if coverage.cell(TABLE, op, i).has_kernel} for i in IMPLEMENTATIONS}
    return Observed(numpy=set(has["numpy"]), jax=set(has["jax"]), js=set(has["js"]), wasm_exports=set(has["wasm"]),
                    wasm_glue=set(has["wasm"]), webgpu_programs=set(has["webgpu"]), webgpu_shaders=set(has["webgpu"]),
                    alias_ops={"Reshape", "Flatten"}, skipped={})


def _messages(problems) -> list[tuple[str, str, str]]:
    return [(p.op, p.implementation, p.message) for p in problems]


def test_a_table_and_code_that_agree_give_no_problem(tmp_path):
    root = _tree_of_listed_files(tmp_path)
    missing = {p for op in ROWS for i in IMPLEMENTATIONS for p in coverage.cell(TABLE, op, i).files
               if not (ROOT / p).is_file()}
    # files not written yet (the one-file-per-op split) are the only problems a faithful tree has
    assert {(p.op, p.implementation) for p in check(TABLE, _consistent_observed(), root)} == {
        (Path(p).name.split(".")[0], "wasm") for p in missing}
    for p in missing:
        (root / p).parent.mkdir(parents=True, exist_ok=True)
        (root / p).write_text(f"void wg_{Path(p).name.split('.')[0]}(void) {{}}\n")
    assert check(TABLE, _consistent_observed(), root) == []


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_a_missing_kernel_file_fails_naming_the_op_and_implementation(tmp_path, implementation):
    root = _tree_of_listed_files(tmp_path)
    path = coverage.cell(TABLE, "Gelu", implementation).files[-1]
    (root / path).unlink(missing_ok=True)
    found = _messages(check(TABLE, _consistent_observed(), root))
    assert ("Gelu", implementation, f"{path} does not exist") in found


@pytest.mark.parametrize(("registry", "implementation", "where"), [
    ("numpy", "numpy", "numpy registry"), ("jax", "jax", "JAX lowerings"), ("js", "js", "js backend's KERNELS"),
    ("wasm_exports", "wasm", "wg_<Op> exports"), ("wasm_glue", "wasm", "wasm glue"),
    ("webgpu_programs", "webgpu", "WebGPU PROGRAMS"), ("webgpu_shaders", "webgpu", "shader keys")])
def test_a_kernel_missing_from_a_registry_fails_naming_the_op_and_implementation(registry, implementation, where):
    seen = _consistent_observed()
    getattr(seen, registry).discard("Softmax")
    found = [m for m in check(TABLE, seen) if m.op == "Softmax" and m.implementation == implementation]
    assert any(where in m.message and "not in" in m.message for m in found), found


def test_a_kernel_the_table_does_not_list_fails():
    table = copy.deepcopy(TABLE)
    table["ops"]["Softmax"]["webgpu"] = {"excluded": "pretend it is missing"}
    found = _messages(check(table, _consistent_observed()))
    assert any(op == "Softmax" and impl == "webgpu" and "the table lists no file" in m for op, impl, m in found)


def test_an_op_missing_from_the_table_fails(tmp_path):
    table = copy.deepcopy(TABLE)
    del table["ops"]["Gather"]
    assert ("Gather", "*", "op of the op set missing from exporter/coverage.json") in _messages(
        check(table, _consistent_observed(), _tree_of_listed_files(tmp_path)))


def test_a_stray_op_file_and_a_wrongly_named_file_fail(tmp_path):
    root = _tree_of_listed_files(tmp_path)
    (root / "wasm_kernels/src/Pool2D.c").write_text("/* MaxPool2D and AvgPool2D */\n")
    found = _messages(check(TABLE, _consistent_observed(), root))
    assert any(op == "Pool2D" and impl == "wasm" and "in no cell" in m for op, impl, m in found)
    table = copy.deepcopy(TABLE)
    table["ops"]["MaxPool2D"]["wasm"] = ["wasm_kernels/src/Pool2D.c"]
    found = _messages(check(table, _consistent_observed(), root))
    assert ("MaxPool2D", "wasm", "the files must include wasm_kernels/src/MaxPool2D.c (one file per op, named as "
            "the layout says)") in found


def test_a_wasm_file_that_does_not_define_its_export_fails(tmp_path):
    root = _tree_of_listed_files(tmp_path)
    own = root / "wasm_kernels/src/Cast.c"
    own.unlink()
    own.write_text("/* nothing here */\n")
    assert ("Cast", "wasm", "wasm_kernels/src/Cast.c does not define wg_Cast") in _messages(
        check(TABLE, _consistent_observed(), root))


def test_an_alias_the_executor_does_not_plan_as_a_view_fails():
    seen = _consistent_observed()
    seen.alias_ops.discard("Flatten")
    assert any(p.op == "Flatten" and p.implementation == "webgpu" and "ALIAS_OPS" in p.message
               for p in check(TABLE, seen))


def test_malformed_cells_are_refused_naming_the_cell(tmp_path):
    for bad in ([], {"alias": ""}, {"because": "x"}, "Gelu.js"):
        table = copy.deepcopy(TABLE)
        table["ops"]["Gelu"]["js"] = bad
        path = tmp_path / "coverage.json"
        path.write_text(json.dumps(table))
        with pytest.raises(CoverageError, match="Gelu/js"):
            load_table(path)


def test_wasm_exports_reads_the_op_kernels_of_a_module(tmp_path):
    wasmtime = pytest.importorskip("wasmtime")
    path = tmp_path / "k.wasm"
    path.write_bytes(wasmtime.wat2wasm('(module (func (export "wg_Add")) (func (export "wg_alloc")) '
                                       '(func (export "wg_Gelu")) (func (export "wg_MatMul_q")) '
                                       '(func (export "wg_pack_b")))'))
    assert wasm_exports(path) == {"Add", "Gelu", "MatMul"}


def test_shader_ops_reads_ops_from_variant_keys(tmp_path):
    path = tmp_path / "shaders.generated.js"
    path.write_text('export const SHADERS = Object.freeze({\n  "Add": "x",\n  "Conv2D_gemm_relu": "y",\n'
                    '  "Cast_f32_f16": "z",\n});\n')
    assert shader_ops(path) == {"Add", "Conv2D", "Cast"}
