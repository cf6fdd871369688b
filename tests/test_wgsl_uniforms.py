"""Named WGSL uniforms: the JS programs' declarations against every shader's ``struct Params``.

``webgpu_shaders/build.py`` parses each rendered shader's ``struct Params`` into a layout (``PARAMS`` in
``shaders.generated.js``); the programs name their uniforms and are packed by that layout, checked on
every call; ``webgpu_shaders/check_uniforms.mjs`` runs every program over samples reaching every
shader key. Here: the layout rules, the packed bytes (as the order-only packer wrote them), and that a
swapped or renamed field, on either side, fails with an error naming the program, shader and fields.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHADERS_DIR = ROOT / "webgpu_shaders"
PROGRAMS_DIR = ROOT / "js_runtime" / "src" / "backends" / "webgpu" / "programs"
CHECK = SHADERS_DIR / "check_uniforms.mjs"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


def _load_build(here: Path | None = None) -> ModuleType:
    spec = importlib.util.spec_from_file_location("webgpu_shaders_build_uniforms", SHADERS_DIR / "build.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if here is not None:
        mod.HERE = here
    return mod


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    return subprocess.run([NODE, str(CHECK), *args], capture_output=True, text=True, timeout=120, check=False)


# ---- layouts -----------------------------------------------------------------------------------------


def test_layout_follows_wgsl_uniform_rules() -> None:
    """Scalars packed by 4, a vec4 aligned to 16 (gap left after odd scalars), size padded to 16."""
    build = _load_build()
    layout = build.params_layout("struct Params { a: u32, b: f32, c: i32, v: vec4<i32>, d: u32 }", "T")
    assert layout == {"size": 48, "fields": [["a", "u32", 0], ["b", "f32", 4], ["c", "i32", 8],
                                             ["v", "vec4<i32>", 16], ["d", "u32", 32]]}
    assert build.params_layout("struct Params { n: u32 }", "T")["size"] == 16


@pytest.mark.parametrize("bad, why", [
    ("struct Params { n: u32, m: vec3<f32> }", "is not 'name: type'"),
    ("struct Params { n: u32, n: u32 }", "declared twice"),
    ("fn main() {}", "expected one 'struct Params"),
])
def test_layout_rejects_what_the_contract_does_not_allow(bad: str, why: str) -> None:
    with pytest.raises(ValueError, match=why) as err:
        _load_build().params_layout(bad, "Bad_key")
    assert "Bad_key" in str(err.value)


def test_generated_params_cover_every_shader() -> None:
    text = (ROOT / "js_runtime" / "src" / "backends" / "webgpu" / "shaders.generated.js").read_text()
    build = _load_build()
    shaders = build.render_all()
    distinct = json.loads("[" + text.split("const L = [\n", 1)[1].split("\n];\n", 1)[0].rstrip(",") + "]")
    refs = dict(re.findall(r'^  ("[^"]+"): L\[(\d+)\],$', text, re.M))
    layouts = build.layouts_of(shaders)
    assert sorted(json.loads(k) for k in refs) == sorted(layouts)
    for key, layout in layouts.items():
        assert distinct[int(refs[json.dumps(key)])] == layout, key


# ---- packed bytes: the layout the shaders read, as the order-only packer wrote it ------------------------


def _passes(requests: list[dict[str, Any]]) -> dict[str, Any]:
    assert NODE is not None
    proc = subprocess.run([NODE, str(ROOT / "tests" / "wgsl_passes.mjs")], input=json.dumps({"requests": requests}),
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return {r["id"]: r for r in json.loads(proc.stdout)["results"]}


def _t(*shape: int, dtype: str = "float32") -> dict[str, Any]:
    return {"shape": list(shape), "dtype": dtype}


def _zeros(n: int) -> bytes:
    return bytes(4 * n)


PACKED = {
    # Gather of [5, 3] by 2 indices on axis 0: total, n, count, inner.
    "Gather": ({"id": "Gather", "op": "Gather", "inputs": [_t(5, 3), _t(2, dtype="int32")], "attrs": {"axis": 0},
                "output": _t(2, 3)}, struct.pack("<4I", 6, 5, 2, 3)),
    # Add [2, 3] + [3]: n, rank, 2 padding, then shape / a / b strides as vec4 pairs from byte 16.
    "Add": ({"id": "Add", "op": "Add", "inputs": [_t(2, 3), _t(3)], "attrs": {}, "output": _t(2, 3)},
            struct.pack("<4I", 6, 2, 0, 0) + struct.pack("<4I", 2, 3, 0, 0) + _zeros(4)
            + struct.pack("<4I", 3, 1, 0, 0) + _zeros(4) + struct.pack("<4I", 0, 1, 0, 0) + _zeros(4)),
    # LayerNorm over the last axis of [2, 4]: rows, n, ranks, epsilon (f32), 3 padding, then vec4 pairs.
    "LayerNorm": ({"id": "LayerNorm", "op": "LayerNorm", "inputs": [_t(2, 4), _t(4), _t(4)],
                   "attrs": {"axis": -1, "epsilon": 0.001}, "output": _t(2, 4)},
                  struct.pack("<4I", 2, 4, 1, 1) + struct.pack("<f3I", 0.001, 0, 0, 0)
                  + struct.pack("<4I", 2, 0, 0, 0) + _zeros(4) + struct.pack("<4I", 4, 0, 0, 0) + _zeros(4)
                  + struct.pack("<4I", 4, 0, 0, 0) + _zeros(4) + struct.pack("<4I", 1, 0, 0, 0) + _zeros(4)),
    # Cast float32 -> int8: n, lo, hi (i32), padding.
    "Cast": ({"id": "Cast", "op": "Cast", "inputs": [_t(4)], "attrs": {"to": "int8"}, "output": _t(4, dtype="int8")},
             struct.pack("<I2iI", 4, -128, 127, 0)),
}


@needs_node
def test_packed_bytes_are_the_wgsl_layout() -> None:
    """Byte for byte what the shaders read (and what the order-only packer wrote before names)."""
    results = _passes([req for req, _ in PACKED.values()])
    for name, (_, want) in PACKED.items():
        got = base64.b64decode(results[name]["passes"][0]["uniforms"])
        assert got == want, name


# ---- every program against every shader key -----------------------------------------------------------


@needs_node
def test_every_program_matches_every_shader_it_uses() -> None:
    proc = _check("--list")
    assert proc.returncode == 0, proc.stderr
    used = dict(line.split(": ", 1) for line in proc.stdout.splitlines())
    keys = set(_load_build().render_all())
    assert {k for v in used.values() for k in v.split()} == keys
    assert used["MatMul"].split() == sorted(k for k in keys if k.startswith("MatMul_"))


# ---- a swapped field on the JS side --------------------------------------------------------------------


def _program_copy(tmp_path: Path, file: str, a: str, b: str) -> Path:
    """A copy of programs/<file> with the uniform names `a` and `b` swapped, importing the real modules."""
    text = (PROGRAMS_DIR / file).read_text()
    base = PROGRAMS_DIR.as_uri()
    text = re.sub(r"from '(\.{1,2}/[^']+)'", lambda m: f"from '{base}/{m.group(1)}'", text)
    pattern = re.compile(rf"\['({re.escape(a)}|{re.escape(b)})', ")
    assert len(pattern.findall(text)) == 2, f"{file} declares {a!r} and {b!r} once each"
    text = pattern.sub(lambda m: f"['{b if m.group(1) == a else a}', ", text)
    out = tmp_path / file
    out.write_text(text)
    return out


SWAPS = [
    ("Gather.js", "Gather", "count", "inner", "Gather_f32"),
    ("MatMul.js", "MatMul", "trans_a", "trans_b", "MatMul_vec4_none"),
    ("Conv2D.js", "Conv2D", "KH", "KW", "Conv2D_gemm_none"),
    ("Cast.js", "Cast", "lo", "hi", "Cast_f32_int"),
]


@needs_node
@pytest.mark.parametrize("file, op, a, b, shader", SWAPS, ids=[s[0] for s in SWAPS])
def test_swapped_program_field_fails_the_check(tmp_path: Path, file: str, op: str, a: str, b: str,
                                               shader: str) -> None:
    proc = _check("--program", f"{op}={_program_copy(tmp_path, file, a, b)}")
    assert proc.returncode == 1, proc.stdout
    line = next(x for x in proc.stderr.splitlines() if f"shader '{shader}'" in x)
    assert f"program '{op}'" in line
    assert f"'{a}'" in line and f"'{b}'" in line and "out of order" in line


RUNTIME = """
import { packedProgram } from %(uniforms)s;
const { program } = await import(%(copy)s);
try {
  packedProgram(%(op)s, program)(%(args)s);
  console.log(JSON.stringify({ ok: true }));
} catch (e) {
  console.log(JSON.stringify({ code: e.code, message: e.message }));
}
"""


@needs_node
def test_swapped_field_fails_at_run_time(tmp_path: Path) -> None:
    """The runtime's packer makes the same check: a pass never runs with misplaced uniforms."""
    assert NODE is not None
    copy = _program_copy(tmp_path, "Gather.js", "count", "inner")
    args = {"inputs": [_t(5, 3), _t(2, dtype="int32")], "attrs": {"axis": 0}, "output": _t(2, 3),
            "limits": {"maxComputeWorkgroupsPerDimension": 65535, "maxComputeWorkgroupSizeX": 256,
                       "maxComputeInvocationsPerWorkgroup": 256, "maxStorageBufferBindingSize": 1 << 27}}
    script = RUNTIME % {"uniforms": json.dumps((PROGRAMS_DIR / "uniforms.js").as_uri()),
                        "copy": json.dumps(copy.as_uri()), "op": json.dumps("Gather"), "args": json.dumps(args)}
    proc = subprocess.run([NODE, "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got.get("code") == "EBACKEND", got
    for part in ("program 'Gather'", "shader 'Gather_f32'", "'count'", "'inner'"):
        assert part in got["message"]


# ---- a changed struct on the WGSL side -----------------------------------------------------------------


TEMPLATE_EDITS = [
    # a field renamed in the struct (and its uses): the program's name is no longer there
    ("Gather.wgsl.j2", [("count: u32", "indices: u32"), ("params.count", "params.indices")],
     "Gather", "Gather_i32", ("'count'", "'indices'")),
    # two fields swapped in the struct: the program's order no longer matches
    ("Gather.wgsl.j2", [("count: u32, inner: u32", "inner: u32, count: u32")],
     "Gather", "Gather_f32", ("'count'", "'inner'")),
    # a shared struct (every row op) with a member retyped
    ("_rows.wgsl", [("epsilon: f32", "epsilon: u32")], "LayerNorm", "LayerNorm", ("'epsilon'", "f32")),
]


@needs_node
@pytest.mark.parametrize("template, edits, op, shader, names", TEMPLATE_EDITS, ids=["renamed", "swapped", "retyped"])
def test_changed_template_struct_fails_the_check(tmp_path: Path, template: str, edits: list[tuple[str, str]],
                                                 op: str, shader: str, names: tuple[str, str]) -> None:
    shaders = tmp_path / "webgpu_shaders"
    shutil.copytree(SHADERS_DIR, shaders, ignore=shutil.ignore_patterns("__pycache__"))
    text = (shaders / template).read_text()
    for old, new in edits:
        assert old in text, (template, old)
        text = text.replace(old, new)
    (shaders / template).write_text(text)
    build = _load_build(shaders)
    layouts = tmp_path / "layouts.json"
    layouts.write_text(json.dumps(build.layouts_of(build.render_all())))
    status, message = build.check_uniforms(layouts)
    assert status == 1, message
    line = next(x for x in message.splitlines() if f"shader '{shader}'" in x)
    assert f"program '{op}'" in line
    for name in names:
        assert name in line


@needs_node
def test_build_check_fails_when_the_uniform_check_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """build.py --check (run by test_webgpu_build.py) includes the uniform check and reports its message."""
    build = _load_build()
    assert build.main(["--check"]) == 0
    failing = tmp_path / "check_uniforms.mjs"
    failing.write_text("console.error(\"program 'X' does not match shader 'Y'\"); process.exit(1);\n")
    monkeypatch.setattr(build, "CHECK_UNIFORMS", failing)
    assert build.main(["--check"]) == 1
    assert "program 'X' does not match shader 'Y'" in capsys.readouterr().err
