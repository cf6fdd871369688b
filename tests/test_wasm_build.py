"""The generated .wasm in js_runtime/wasm/ is current, reproducible and small (wasm_kernels/build.py)."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD_PY = ROOT / "wasm_kernels" / "build.py"

if importlib.util.find_spec("ziglang") is None:
    pytest.skip("ziglang is not installed: pip install -e '.[dev]' (scripts/setup.sh does)", allow_module_level=True)

_spec = importlib.util.spec_from_file_location("wasm_kernels_build", BUILD_PY)
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


@pytest.fixture(scope="module")
def two_builds() -> tuple[dict[str, bytes], dict[str, bytes]]:
    return build.build(), build.build()


def test_committed_wasm_is_current(two_builds):
    stale = build.stale(two_builds[0], build.OUT_DIR)
    assert not stale, f"stale generated files {stale}: rebuild with python wasm_kernels/build.py"


def test_build_is_reproducible(two_builds):
    first, second = two_builds
    assert set(first) == {"webgrad-simd.wasm", "webgrad-relaxed.wasm", "webgrad-simd-threads.wasm",
                          "webgrad-relaxed-threads.wasm", "BUILD-INFO.json", ".gitattributes"}
    for name in first:
        assert first[name] == second[name], f"{name} differs between two builds"
    for name, data in first.items():  # nothing about this machine or checkout leaks in
        assert str(ROOT).encode() not in data and b"/tmp" not in data, name


def test_check_mode_catches_stale_files(two_builds, tmp_path, capsys):
    files = two_builds[0]
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    assert build.main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "webgrad-simd.wasm").write_bytes(files["webgrad-simd.wasm"] + b"\0")
    (tmp_path / "BUILD-INFO.json").unlink()
    assert build.main(["--check", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "webgrad-simd.wasm" in err and "BUILD-INFO.json (missing)" in err and "webgrad-relaxed" not in err


def test_check_names_a_stale_generated_source(tmp_path):
    """A hand edit of a file generated from params.json (or a declaration edited without rebuilding) is named."""
    generated = build.generated_sources()
    for rel, data in generated.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    assert build.stale(generated, tmp_path) == []
    js = tmp_path / build.gen_params.JS_WRITERS
    js.write_text(js.read_text().replace("p + 28", "p + 32", 1))
    assert build.stale(generated, tmp_path) == [build.gen_params.JS_WRITERS]


def test_build_info_describes_the_files():
    info = json.loads((build.OUT_DIR / "BUILD-INFO.json").read_text())
    assert "do not edit" in info["generated"] and info["ziglang"] == build.ZIG_VERSION
    for name, meta in info["files"].items():
        data = (build.OUT_DIR / name).read_bytes()
        assert meta["sha256"] == hashlib.sha256(data).hexdigest() and meta["bytes"] == len(data)
        assert meta["gzip_bytes"] == len(gzip.compress(data, compresslevel=9, mtime=0))


def test_wasm_stays_small():
    """Each build is shipped alone (the runtime fetches one): keep it well under the 60 KB gzipped budget.
    The gradient kernels of in-runtime training (src/grad/) live in the same module, since a training
    step needs both: about 5.7 KB gzipped of the limit; op set v2's ops (Pad, Conv2DTranspose, the
    comparisons, Where, Abs, Sign, Floor) about 0.9 KB; the int8 / float16 stored-width GEMM and GEMV
    (gemm_q.c) about 1.7 KB. The shared-memory builds (the *-threads variants) are held to the same
    limits."""
    for name in build.VARIANTS:
        data = (build.OUT_DIR / name).read_bytes()
        assert len(gzip.compress(data, 9)) < 30_000, name
        assert len(data) < 88_000, name


def test_ziglang_and_wasmtime_are_pinned_in_the_dev_extra():
    text = (ROOT / "pyproject.toml").read_text()
    dev = re.search(r"^dev = \[(.*?)\]", text, re.M | re.S).group(1)
    assert f'"ziglang=={build.ZIG_VERSION}"' in dev
    assert re.search(r'"wasmtime==[0-9.]+"', dev)
