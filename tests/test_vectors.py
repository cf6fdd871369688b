"""The shared test vectors: current, deterministic, well-formed, covering, and reproduced by the reference."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from compare import assert_close

from webgrad import raw_ops as ops
from webgrad.exporter import vectors
from webgrad.exporter.opset import load_opset, op_names, op_spec

VECTOR_DIR = Path(__file__).parent / "vectors"
DOCS = {op: json.loads((VECTOR_DIR / f"{op}.json").read_text(encoding="utf-8")) for op in op_names()}


def test_committed_vectors_are_current():
    stale = vectors.stale_files(VECTOR_DIR)
    assert not stale, f"stale test vectors {stale}; regenerate with: python -m webgrad.exporter.vectors"


def test_regeneration_is_byte_identical():
    first, second = vectors.generate(), vectors.generate()
    assert first == second
    for name, text in first.items():
        assert text == (VECTOR_DIR / name).read_text(encoding="utf-8"), name


def test_check_cli_names_stale_files(tmp_path, capsys):
    for p in VECTOR_DIR.glob("*.json"):
        shutil.copy(p, tmp_path / p.name)
    shutil.copytree(VECTOR_DIR / "grad", tmp_path / "grad")
    assert vectors.main(["--check", "--dir", str(tmp_path)]) == 0
    doc = json.loads((tmp_path / "Relu.json").read_text())
    doc["cases"][0]["inputs"][0]["data"] = vectors.encode(np.zeros(15, np.float32))["data"]
    (tmp_path / "Relu.json").write_text(vectors.render(doc))
    (tmp_path / "Exp.json").unlink()
    assert vectors.main(["--check", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "Relu.json" in err and "Exp.json (missing)" in err and "Add.json" not in err


def test_rounding_noise_in_expected_values_is_not_staleness():
    text = (VECTOR_DIR / "Tanh.json").read_text()
    doc = json.loads(text)
    want = vectors.decode(doc["cases"][0]["expected"][0])
    doc["cases"][0]["expected"][0] = vectors.encode(np.nextafter(want, np.float32(np.inf)))  # 1 ulp up
    assert vectors.equivalent(text, vectors.render(doc))
    doc["cases"][0]["expected"][0] = vectors.encode(want * np.float32(1.001))
    assert not vectors.equivalent(text, vectors.render(doc))
    doc = json.loads(text)
    doc["cases"][0]["attrs"] = {"extra": 1}
    assert not vectors.equivalent(text, vectors.render(doc))


def test_files_are_small():
    total = sum(p.stat().st_size for p in VECTOR_DIR.glob("*.json"))
    assert total < 2_000_000, total
    assert {p.stem for p in VECTOR_DIR.glob("*.json")} == set(op_names())


def test_readme_documents_the_format():
    text = (VECTOR_DIR / "README.md").read_text(encoding="utf-8")
    for word in ("base64", "little-endian", "Buffer.from", "atob", "tolerance", "null", "--check"):
        assert word in text, word


@pytest.mark.parametrize("op", op_names())
def test_file_structure(op):
    doc, spec = DOCS[op], op_spec(op)
    assert doc["op"] == op and doc["opsetVersion"] == load_opset()["opsetVersion"]
    assert len(doc["cases"]) >= 2
    assert len({c["name"] for c in doc["cases"]}) == len(doc["cases"])
    variadic = spec["inputs"][-1].get("variadic", False)
    for c in doc["cases"]:
        assert set(c["attrs"]) == set(spec["attrs"]), c["name"]
        assert c["tolerance"] == spec["tolerance"]
        if not variadic:
            assert len(c["inputs"]) == len(spec["inputs"])
        for t, ispec in zip(c["inputs"], spec["inputs"] * len(c["inputs"]), strict=False):
            if t is None:
                assert ispec.get("optional"), f"{op}/{c['name']}: {ispec['name']} is required"
            else:
                assert t["dtype"] in ispec["dtypes"]
        for t in [*filter(None, c["inputs"]), *c["expected"]]:
            raw = base64.b64decode(t["data"])
            assert len(raw) == np.dtype(t["dtype"]).itemsize * int(np.prod(t["shape"], dtype=np.int64))


@pytest.mark.parametrize("op", op_names())
def test_reference_reproduces_every_vector_within_tolerance(op):
    for c in DOCS[op]["cases"]:
        inputs = [None if t is None else vectors.decode(t) for t in c["inputs"]]
        with np.errstate(all="ignore"):
            got = np.asarray(ops.apply(op, *inputs, **c["attrs"]).numpy())
        want = vectors.decode(c["expected"][0])
        assert_close(got, want, c["tolerance"]["rtol"], c["tolerance"]["atol"], f"{op}/{c['name']}")


def _names(op: str) -> set[str]:
    return {c["name"] for c in DOCS[op]["cases"]}


def _attr_values(op: str, key: str) -> list:
    return [c["attrs"][key] for c in DOCS[op]["cases"]]


def test_vectors_cover_the_attributes():
    activations = set(load_opset()["activations"]["values"])
    for op in ("MatMul", "Conv2D"):
        assert set(_attr_values(op, "activation")) == activations, op
    assert {(c["attrs"]["transpose_a"], c["attrs"]["transpose_b"]) for c in DOCS["MatMul"]["cases"]} == {
        (False, False),
        (True, False),
        (False, True),
        (True, True),
    }
    conv = DOCS["Conv2D"]["cases"]
    assert {"SAME", "VALID"} <= {c["attrs"]["padding"] for c in conv if isinstance(c["attrs"]["padding"], str)}
    assert any(isinstance(c["attrs"]["padding"], list) for c in conv)
    assert any(c["attrs"]["strides"] != [1, 1] for c in conv) and any(c["attrs"]["dilations"] != [1, 1] for c in conv)
    groups = [(c["attrs"]["groups"], c["inputs"][0]["shape"][3], c["inputs"][1]["shape"][3]) for c in conv]
    assert any(1 < g < ch for g, ch, _ in groups), "grouped conv"
    assert any(g == ch and o == ch for g, ch, o in groups), "depthwise"
    assert any(g == ch and o == 2 * ch for g, ch, o in groups), "depthwise with multiplier"
    for op in ("MaxPool2D", "AvgPool2D"):
        pads = _attr_values(op, "padding")
        assert "SAME" in pads and "VALID" in pads and any(isinstance(p, list) for p in pads)
    assert {"float32", "int32", "int8", "uint8", "float16"} == set(_attr_values("Cast", "to"))
    deq = DOCS["Dequantize"]["cases"]
    assert {c["inputs"][0]["dtype"] for c in deq} == {"int8", "uint8", "float16"}
    assert None in _attr_values("Dequantize", "axis") and any(a is not None for a in _attr_values("Dequantize", "axis"))
    for op in ("ReduceSum", "ReduceMean", "ReduceMax"):
        assert True in _attr_values(op, "keepdims") and any(a and min(a) < 0 for a in _attr_values(op, "axes") if a)
    for op in ("Reshape", "Flatten", "Transpose", "Concat", "Slice", "Gather"):
        assert any(c["inputs"][0]["dtype"] == "int32" for c in DOCS[op]["cases"]), op
    for op in ("Add", "Sub", "Mul", "Div", "Maximum", "Minimum"):
        assert {"broadcast_row", "broadcast_rank_and_ones", "scalar"} <= _names(op)


@pytest.mark.parametrize("op", [op for op in op_names() if "NaN" in op_spec(op)["nan"] or "Inf" in op_spec(op)["nan"]])
def test_ops_with_nan_rules_have_special_value_vectors(op):
    if op in ("Cast", "Dequantize", "ArgMax", "LayerNorm"):
        found = any(
            np.isnan(vectors.decode(t)).any()
            for c in DOCS[op]["cases"]
            for t in c["inputs"]
            if t and t["dtype"].startswith("float")
        )
    else:
        found = any(
            np.isnan(vectors.decode(c["inputs"][0])).any() and np.isinf(vectors.decode(c["inputs"][0])).any()
            for c in DOCS[op]["cases"]
        )
    assert found, f"{op} has a 'nan' rule but no vector with NaN/Inf inputs"
