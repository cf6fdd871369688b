"""The params contract is declared once (wasm_kernels/params.json) and every caller agrees with the binary.

Each .wasm exports ``wg_params_layout``: every struct's size and field offsets as the compiler laid them
out (``offsetof`` by field name), and the activation/dtype codes. These tests write every field of every
struct with a distinct sentinel through the Python harness and through the generated JS writers, then
read each field back at the offset the .wasm reports for that name. A swapped pair of fields in the
declaration (test_swapped_fields_are_caught) is caught three ways: the staleness check names the generated
files, both writers put the two fields where the binary does not read them, and MatMul gives wrong numbers.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import wasm_harness as wh

ROOT = Path(__file__).resolve().parent.parent
PROBE = Path(__file__).resolve().parent / "wasm_params_probe.mjs"
JS_ERRORS = ROOT / "js_runtime" / "src" / "errors.js"
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="no node on PATH")

_spec = importlib.util.spec_from_file_location("wasm_kernels_build", ROOT / "wasm_kernels" / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)
gen_params = build.gen_params


@pytest.fixture(scope="module", params=wh.VARIANTS)
def k(request) -> wh.Kernels:
    return wh.Kernels(wh.WASM_DIR / request.param)


def sentinels(s: Any) -> dict[str, Any]:
    """A distinct value per field (and per array slot) of struct ``s``; flags get 1 (all a 0/1 field holds)."""
    out: dict[str, Any] = {}
    for i, f in enumerate(s.fields):
        base = 1000 * (i + 1)
        if f.length:
            out[f.name] = [base + j for j in range(f.length)]
        elif f.flag:
            out[f.name] = True
        else:
            out[f.name] = base + 0.5 if f.type == "float32" else base
    return out


def misplaced(s: Any, data: bytes, values: dict[str, Any], layout: dict[str, int]) -> list[str]:
    """Fields of ``s`` whose value in ``data`` is not at the offset the binary's layout gives that name."""
    bad = []
    for f in s.fields:
        off = layout[f"{s.name}.{f.name}"]
        want = values[f.name]
        if f.length:
            got: Any = list(struct.unpack_from(f"<{f.length}i", data, off))
        elif f.type == "float32":
            got = struct.unpack_from("<f", data, off)[0]
        else:
            got, want = struct.unpack_from("<i", data, off)[0], int(want)
        if got != want:
            bad.append(f"{s.name}.{f.name}")
    return bad


def js_bytes(decl: Any, module: Path, tmp: Path) -> dict[str, bytes]:
    """Struct name -> bytes written by the JS writer of ``module`` from :func:`sentinels` (camelCase names)."""
    names = list(decl.structs)
    cases = []
    for name in names:
        s = decl.structs[name]
        type_name = wh.params_decl.camel(name)
        cases.append({"writer": f"write{type_name[:1].upper()}{type_name[1:]}Params", "bytes": s.size,
                      "fields": {wh.params_decl.camel(k): v for k, v in sentinels(s).items()}})
    (tmp / "cases.json").write_text(json.dumps(cases))
    out = subprocess.run(["node", str(PROBE), str(module), str(tmp / "cases.json")], capture_output=True, text=True,
                         check=True, timeout=60)
    return {n: bytes.fromhex(h) for n, h in zip(names, json.loads(out.stdout), strict=True)}


def swapped_declaration(tmp: Path, struct_name: str, a: str, b: str) -> Path:
    """A copy of params.json with fields ``a`` and ``b`` of one struct swapped."""
    raw = json.loads((ROOT / "wasm_kernels" / "params.json").read_text())
    fields = next(s for s in raw["structs"] if s["name"] == struct_name)["fields"]
    i, j = (next(n for n, f in enumerate(fields) if f["name"] == x) for x in (a, b))
    fields[i], fields[j] = fields[j], fields[i]
    path = tmp / "params.json"
    path.write_text(json.dumps(raw))
    return path


def test_layout_export_is_the_declaration(k):
    decl = wh.DECL
    want = {"abi_version": decl.abi_version}
    for s in decl.structs.values():
        want[s.name] = s.size
        want.update({f"{s.name}.{f}": off for f, off in s.offsets.items()})
    want.update({f"act.{a}": i for i, a in enumerate(decl.activations)})
    want.update({f"dtype.{d}": i for i, d in enumerate(decl.dtypes)})
    assert k.layout() == want
    assert k("wg_abi_version") == decl.abi_version


def test_harness_writes_every_field_where_the_binary_reads_it(k):
    layout = k.layout()
    for s in wh.DECL.structs.values():
        values = sentinels(s)
        assert misplaced(s, wh.pack_params(s.name, values), values, layout) == [], s.c_name


@needs_node
def test_js_writers_write_every_field_where_the_binary_reads_it(k, tmp_path):
    layout = k.layout()
    module = ROOT / gen_params.JS_WRITERS
    for name, data in js_bytes(wh.DECL, module, tmp_path).items():
        s = wh.DECL.structs[name]
        assert misplaced(s, data, sentinels(s), layout) == [], s.c_name


def test_generated_files_are_current():
    assert build.stale(build.generated_sources(), ROOT) == []


def test_a_copy_of_the_declaration_generates_the_same_files(tmp_path):
    copy = tmp_path / "params.json"
    shutil.copy(ROOT / "wasm_kernels" / "params.json", copy)
    assert build.stale(build.generated_sources(copy), ROOT) == []


def test_swapped_fields_are_caught(k, tmp_path):
    decl_path = swapped_declaration(tmp_path, "matmul", "M", "K")
    swapped = wh.params_decl.load(decl_path)
    # 1. the committed generated sources no longer match the declaration: the staleness check names them
    generated = build.generated_sources(decl_path)
    assert set(build.stale(generated, ROOT)) == {gen_params.C_HEADER, gen_params.C_LAYOUT, gen_params.JS_WRITERS}
    # 2. a writer built from the swapped declaration misplaces exactly those two fields for this binary
    s, layout = swapped.structs["matmul"], k.layout()
    values = sentinels(s)
    assert misplaced(s, wh.pack_params("matmul", values, swapped), values, layout) == ["matmul.K", "matmul.M"]
    # 3. and a kernel run through it gives wrong numbers (y is 3 x 4 from a 3 x 5 @ 5 x 4)
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 5), np.float32), rng.standard_normal((5, 4), np.float32)
    fields = dict(M=3, N=4, K=5, transpose_a=False, transpose_b=False, b_packed=False, activation=0, alpha=0.0,
                  batch_rank=0, batch_shape=[], a_batch_shape=[], b_batch_shape=[])
    with k.scope():
        pa, pb, y = k.put(a), k.put(b), k.empty((3, 4))
        assert k("wg_MatMul", pa, pb, 0, y, k.params("matmul", **fields)) == 0
        np.testing.assert_allclose(k.get(y, (3, 4)), a @ b, rtol=1e-5, atol=1e-5)
        k.put(np.zeros(64, np.float32))  # y's neighbours: a wrong M/K reads or writes past it
        k.memory.write(k.store, b"\0" * 48, y)
        k("wg_MatMul", pa, pb, 0, y, k.params("matmul", swapped, **fields))
        assert not np.allclose(k.get(y, (3, 4)), a @ b, atol=1e-3)


@needs_node
def test_swapped_fields_are_caught_in_the_js_writers(k, tmp_path):
    swapped = wh.params_decl.load(swapped_declaration(tmp_path, "conv2d", "stride_h", "pad_top"))
    tree = tmp_path / "src"  # the generated module imports ../../errors.js
    (tree / "backends" / "wasm").mkdir(parents=True)
    shutil.copy(JS_ERRORS, tree / "errors.js")
    module = tree / "backends" / "wasm" / "params.generated.js"
    module.write_text(gen_params.js_writers(swapped))
    data = js_bytes(swapped, module, tmp_path)["conv2d"]
    s = swapped.structs["conv2d"]
    assert misplaced(s, data, sentinels(s), k.layout()) == ["conv2d.pad_top", "conv2d.stride_h"]
