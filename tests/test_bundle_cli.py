"""``webgrad inspect`` and ``webgrad verify``, run as a user would (subprocesses of ``python -m webgrad.cli``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from webgrad.exporter.bundle_writer import write_bundle

LABELS = ["zero", "one", "two", "three", "four"]


def webgrad(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "webgrad.cli", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture
def bundle(tmp_path, bundle_graph):
    return write_bundle(bundle_graph("cnn"), tmp_path / "cnn", quantize="int8",
                        metadata={"labels": LABELS, "task": "classification"}).path


def test_inspect_prints_the_summary(bundle):
    r = webgrad("inspect", str(bundle))
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for text in ("webgrad-bundle v1, op set v1, written by webgrad", "input:        image  float32 [?, 8, 8, 1]",
                 "output:       probs  float32 [?, 5]",
                 "5 nodes: Conv2D x1, Flatten x1, MatMul x1, MaxPool2D x1, Softmax x1",
                 f"parameters:   {3 * 3 * 4 + 4 + 64 * 5 + 5:,} in 4 tensors",
                 "stored float32 36 B, int8 356 B; float32 would take 1,460 B",
                 "quantization: int8_symmetric (2 tensors), none (2 tensors)",
                 "labels:       5: zero, one, two, three, four", "metadata:     labels, task"):
        assert text in out, f"{text!r} not in\n{out}"


def test_inspect_json(bundle):
    r = webgrad("inspect", str(bundle / "model.json"), "--json")  # model.json itself works too
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["labels"] == LABELS and info["ops"]["Conv2D"] == 1 and info["parameters"] == 365
    assert info["bytes_by_dtype"] == {"float32": 36, "int8": 356} and info["formatVersion"] == 1
    assert info["signature"]["inputs"][0]["shape"] == [None, 8, 8, 1]


def test_verify_ok(bundle):
    r = webgrad("verify", str(bundle))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"OK: {bundle}: schema, versions and 1 shard checksum(s) valid; 5 nodes; "
                               "self-test max error 0 (tolerance rtol 0.001, atol 0.0001)")


def test_verify_fails_with_the_error(bundle, tmp_path):
    shard = bundle / "weights-000.bin"
    data = bytearray(shard.read_bytes())
    data[40] ^= 0xFF
    shard.write_bytes(bytes(data))
    r = webgrad("verify", str(bundle))
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith(f"error [ECHECKSUM]: {shard}: sha256 mismatch")
    r = webgrad("verify", str(tmp_path / "missing"))
    assert r.returncode == 2 and r.stderr.startswith("error [EMODEL_MISSING]: ")
    assert "no such bundle directory" in r.stderr


def test_verify_fails_when_the_selftest_does(bundle):
    doc = json.loads((bundle / "model.json").read_text())
    doc["selftest"]["tolerance"] = {"rtol": 0, "atol": 0}
    doc["selftest"]["outputs"][0]["data"] = doc["selftest"]["outputs"][0]["data"].replace("A", "B", 1)
    (bundle / "model.json").write_text(json.dumps(doc))
    r = webgrad("verify", str(bundle))
    assert r.returncode == 2 and r.stderr.startswith("error [ESELFTEST]: ")
    assert "selftest failed: output 'probs'" in r.stderr


def test_inspect_of_a_bad_bundle_is_an_error(bundle):
    (bundle / "weights-000.bin").unlink()
    r = webgrad("inspect", str(bundle))
    assert r.returncode == 2 and r.stderr.startswith("error [ESHARD_MISSING]: ") and "missing shard" in r.stderr


def _write_model_json(bundle, text: str) -> None:
    (bundle / "model.json").write_text(text, encoding="utf-8")


def _edit(bundle, change) -> None:
    doc = json.loads((bundle / "model.json").read_text())
    change(doc)
    _write_model_json(bundle, json.dumps(doc))


@pytest.mark.parametrize(("command", "breakage", "code"), [
    # Each of these printed a Python traceback before (issue 12, item 7).
    ("verify", lambda b: _write_model_json(b, "[" * 100_000 + "]" * 100_000), "EJSON"),  # RecursionError
    ("inspect", lambda b: _edit(b, lambda d: d["weights"]["tensors"][0]["shape"].__setitem__(0, 1.5)),
     "ESCHEMA"),  # a float where an int belongs
    ("verify", lambda b: _edit(b, lambda d: d["graph"]["nodes"][0]["attrs"].update(strides=5.5)), "EATTR"),
    ("verify", lambda b: _edit(b, lambda d: d["weights"]["tensors"][0]["shape"].__setitem__(0, 2**62)),
     "ESCHEMA"),  # an int64-overflowing shape
    ("inspect", lambda b: _write_model_json(b, '{"format": "webgrad-bundle", "formatVersion": 1e400}'), "ESCHEMA"),
    ("verify", lambda b: (b / "model.json").unlink() or (b / "model.json").mkdir(), "EFETCH"),
])
def test_bad_bundles_are_one_line_and_exit_2(bundle, command, breakage, code):
    breakage(bundle)
    r = webgrad(command, str(bundle))
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith(f"error [{code}]: ") and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.count("\n") == 1


def test_help_explains_the_commands():
    top = webgrad("--help").stdout
    assert "inspect" in top and "verify" in top
    inspect = webgrad("inspect", "--help").stdout
    assert "--json" in inspect and "model.json" in inspect and "parameter count" in inspect
    verify = webgrad("verify", "--help").stdout
    assert "sha256" in verify and "self-test" in verify and "exits 2" in verify
