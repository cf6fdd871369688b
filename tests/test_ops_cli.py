"""`webgrad ops` and `webgrad conformance` (exporter/ops_cli.py, exporter/conformance.py): the paths
printed exist, every implementation reports its conformance on the shared vectors, and a wrong vector
or a reject that is not refused fails its cell by name. The node run happens once (in the subprocess)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from webgrad.exporter import conformance as conf
from webgrad.exporter import ops_cli
from webgrad.exporter.coverage import IMPLEMENTATIONS, ROOT
from webgrad.exporter.opset import op_names
from webgrad.exporter.tensor_codec import decode, encode
from webgrad.exporter.vectors import DEFAULT_DIR


@pytest.mark.skipif(shutil.which("node") is None, reason="no node on PATH: js, wasm and webgpu run there")
def test_webgrad_ops_conv2d_prints_existing_paths_and_each_implementations_status():
    proc = subprocess.run([sys.executable, "-m", "webgrad.exporter.ops_cli", "Conv2D"], capture_output=True,
                          text=True, cwd=ROOT, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("Conv2D: ")
    # per implementation: "  <impl>  <path>", more paths indented, then the status line
    blocks: dict[str, list[str]] = {}
    impl = ""
    for line in lines[2:]:
        m = re.match(r"  (\w+) +(\S.*)$", line)
        if m and m.group(1) in IMPLEMENTATIONS:
            impl = m.group(1)
            blocks[impl] = [m.group(2)]
        else:
            blocks[impl].append(line.strip())
    assert list(blocks) == list(IMPLEMENTATIONS)
    for impl, (*paths, status) in blocks.items():
        assert paths, impl
        for p in paths:
            assert (ROOT / p).is_file(), f"{impl}: printed {p}, which does not exist"
        if impl == "jax" and "not installed" in status:
            continue
        if impl == "webgpu" and status.startswith("not run: "):
            assert len(status) > len("not run: "), "webgpu says why it did not run"
            continue
        assert re.fullmatch(r"pass: max error .+ over 17 cases, 0 rejects", status), f"{impl}: {status}"
    assert "webgrad_ops" not in proc.stderr


def test_ops_no_run_lists_every_op_with_five_implementations(capsys):
    assert ops_cli.main(["--all", "--no-run", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["conformance"] is None
    assert set(doc["ops"]) == set(op_names())
    assert all(list(row) == list(IMPLEMENTATIONS) for row in doc["ops"].values())
    assert doc["ops"]["Flatten"]["webgpu"]["alias"]
    assert doc["ops"]["MatMul"]["wasm"]["files"][0] == "wasm_kernels/src/MatMul.c"


def test_bad_usage_exits_2_with_the_reason(capsys):
    assert ops_cli.main(["Conv3D", "--no-run"]) == 2
    assert "unknown op 'Conv3D'" in capsys.readouterr().err
    assert ops_cli.main(["--no-run"]) == 2
    assert ops_cli.main(["conformance", "--implementations", "numpy,cuda"]) == 2
    assert "unknown implementation(s) ['cuda']" in capsys.readouterr().err


def _vectors_copy(tmp_path: Path, op: str) -> tuple[Path, dict]:
    doc = json.loads((DEFAULT_DIR / f"{op}.json").read_text())
    return tmp_path / f"{op}.json", doc


def test_a_wrong_expected_value_fails_the_numpy_cell_naming_the_case(tmp_path):
    path, doc = _vectors_copy(tmp_path, "Relu")
    want = decode(doc["cases"][0]["expected"][0]).copy()
    want.flat[0] += 1
    doc["cases"][0]["expected"][0] = encode(want)
    path.write_text(json.dumps(doc))
    report = conf.conformance(tmp_path, ("numpy",), ops=["Relu"])
    cell = report.cells["numpy"]["Relu"]
    assert not report.ok and cell.status == "fail" and cell.message.startswith(f"{doc['cases'][0]['name']}: element 0")
    assert "| Relu | ✗ " in conf.format_report(report)


def test_a_reject_that_runs_fails_the_cell(tmp_path):
    path, doc = _vectors_copy(tmp_path, "ArgMax")
    doc["rejects"][0]["inputs"][0] = encode(np.ones((2, 3, 3), np.float32))  # the axis is no longer empty
    path.write_text(json.dumps(doc))
    cell = conf.conformance(tmp_path, ("numpy",), ops=["ArgMax"]).cells["numpy"]["ArgMax"]
    assert cell.status == "fail"
    assert cell.message == f"{doc['rejects'][0]['name']} (a reject): expected ShapeError (ESHAPE), but it ran"


def test_compare_follows_the_vector_rule():
    nan, inf = np.float32("nan"), np.float32("inf")
    assert conf.compare(np.array([nan, inf, 1.0]), np.array([nan, inf, 1.0]), 0, 0)[0]
    assert not conf.compare(np.array([1.0]), np.array([nan]), 0, 0)[0]
    assert not conf.compare(np.array([-inf]), np.array([inf]), 0, 0)[0]
    ok, max_abs, worst, at = conf.compare(np.array([1.0, 2.5]), np.array([1.0, 2.0]), 0.0, 1.0)
    assert (ok, max_abs, worst, at) == (True, 0.5, 0.5, 1)


def test_jax_is_reported_not_installed_when_it_cannot_be_imported(monkeypatch):
    monkeypatch.setitem(sys.modules, "jax", None)  # import jax now raises ImportError
    monkeypatch.setitem(sys.modules, "jax.numpy", None)
    report = conf.conformance(implementations=("jax",), ops=["Add"])
    assert report.unavailable["jax"].startswith("not installed")
    assert ops_cli.status_line("jax", report, "Add").startswith("not run: not installed")


def test_a_node_run_that_breaks_is_an_error_in_every_js_cell_not_an_absent_implementation(tmp_path):
    if shutil.which("node") is None:
        pytest.skip("no node on PATH")
    fake = tmp_path / conf.NODE_CLI
    fake.parent.mkdir(parents=True)
    fake.write_text("console.error('webgrad: Cannot find module x'); process.exit(1);\n")
    cells, unavailable = conf.run_node(DEFAULT_DIR, ["js", "wasm"], ["Add", "Relu"], root=tmp_path)
    assert unavailable == {}
    assert {(b, op, c.status) for b, row in cells.items() for op, c in row.items()} == {
        (b, op, "error") for b in ("js", "wasm") for op in ("Add", "Relu")}
    assert cells["js"]["Add"].message.endswith("exited 1: webgrad: Cannot find module x")
