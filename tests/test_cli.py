"""The ``webgrad`` command line, run as a user would (a subprocess of the installed console script)."""

from __future__ import annotations

import json
import subprocess
import sys

from webgrad.exporter.opset import op_names


def webgrad(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "webgrad.cli", *args], capture_output=True, text=True, timeout=300)


def test_train_digits_prints_and_writes_accuracy(tmp_path):
    out = tmp_path / "r.json"
    r = webgrad("train", "digits", "--epochs", "3", "--verbose", "0", "--json", str(out))
    assert r.returncode == 0, r.stderr
    result = json.loads(out.read_text())
    assert f"test accuracy: {result['test_accuracy'] * 100:.2f}%" in r.stdout
    assert result["test_accuracy"] > 0.5 and result["epochs"] == 3
    assert "Total params:" in r.stdout  # the summary is printed first


def test_opset_lists_every_op():
    r = webgrad("opset")
    assert r.returncode == 0
    for name in op_names():
        assert f"  {name}(" in r.stdout
    assert json.loads(webgrad("opset", "--json").stdout)["ops"].keys() == set(op_names())


def test_help_explains_options():
    r = webgrad("train", "--help")
    for option in ("--epochs", "--batch-size", "--learning-rate", "--schedule", "--limit", "--json"):
        assert option in r.stdout
    assert "cnn" in r.stdout and "digits" in r.stdout


def test_bad_arguments_fail_clearly():
    r = webgrad("train", "resnet")
    assert r.returncode == 2 and "invalid choice: 'resnet'" in r.stderr


def test_train_exports_three_bundles_that_verify(tmp_path):
    r = webgrad("train", "digits", "--epochs", "2", "--verbose", "0", "--export", str(tmp_path),
                "--json", str(tmp_path / "r.json"))
    assert r.returncode == 0, r.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    sizes = {k: v["bytes_weights"] for k, v in result["bundles"].items()}
    assert sizes["float16"] * 2 == sizes["float32"] and sizes["int8"] < sizes["float32"] * 0.3
    for dtype in ("float32", "float16", "int8"):
        v = webgrad("verify", str(tmp_path / f"digits_cnn-{dtype}"))
        assert v.returncode == 0, v.stdout + v.stderr
