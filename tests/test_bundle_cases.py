"""The shared bundle validity cases (tests/bundle_cases/*.json, format in its README.md) run through
the Python reader: each case's edits are applied to a copy of a fixture bundle made by
tests/node/make_fixtures.py, and the result must load with its self-test passing (``"valid"``) or fail
with the case's ``BundleError.code`` (and message regex). tests/node/bundle_cases.test.mjs runs the very
same cases through the npm package's loadModel."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from webgrad.exporter import BundleError, load_bundle
from webgrad.exporter.bundle_errors import CODES

ROOT = Path(__file__).resolve().parent.parent
CASE_DIR = ROOT / "tests" / "bundle_cases"


def _all_cases() -> list[Any]:
    out = []
    for file in sorted(CASE_DIR.glob("*.json")):
        doc = json.loads(file.read_text(encoding="utf-8"))
        assert isinstance(doc.get("cases"), list), f"{file.name}: expected {{'cases': [...]}}"
        out += [pytest.param(c, id=f"{file.name}:{c['name']}") for c in doc["cases"]]
    return out


@pytest.fixture(scope="session")
def fixtures_dir(tmp_path_factory) -> Path:
    """The Python-made fixture bundles, written once per session (about a second)."""
    out = tmp_path_factory.mktemp("bundle-case-fixtures")
    subprocess.run([sys.executable, str(ROOT / "tests" / "node" / "make_fixtures.py"), str(out)], check=True,
                   capture_output=True, timeout=600)
    return out


def _compact(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def _set(doc: Any, path: list, value: Any) -> None:
    at = doc
    for key in path[:-1]:
        if isinstance(at, dict) and not isinstance(at.get(key), dict | list):
            at[key] = {}
        at = at[key]
    if isinstance(at, list) and path[-1] == len(at):
        at.append(value)  # like a JS assignment one past the end
    else:
        at[path[-1]] = value


def _delete(doc: Any, path: list) -> None:
    at = doc
    for key in path[:-1]:
        at = at[key]
    del at[path[-1]]


def apply_edits(case: dict[str, Any], base: Path, out: Path) -> Path:
    """Writes the case's bundle (the base bundle with the case's edits applied) into ``out``."""
    shutil.copytree(base, out)
    doc = json.loads((out / "model.json").read_text(encoding="utf-8"))
    text: str | None = None  # model.json as text after the first text edit
    frozen = False  # model.json edited as a file: its bytes are final
    name = case["name"]

    def need_doc(op: str) -> None:
        assert text is None and not frozen, f"{name}: a JSON edit {op!r} after a text or file edit"

    for e in case.get("edits", []):
        op = e["op"]
        if op == "set":
            need_doc(op)
            _set(doc, e["path"], e["value"])
        elif op == "delete":
            need_doc(op)
            _delete(doc, e["path"])
        elif op == "replace":
            assert not frozen, f"{name}: a text edit after a file edit of model.json"
            current = text if text is not None else _compact(doc)
            assert e["find"] in current, f"{name}: broken case: {e['find']!r} does not occur in model.json"
            text = current.replace(e["find"], e["with"], 1)
        elif op == "prefix":
            assert not frozen, f"{name}: a text edit after a file edit of model.json"
            text = e["text"] + (text if text is not None else _compact(doc))
        elif op == "rehash":
            need_doc(op)
            for s in doc["weights"]["shards"]:
                if (out / s["file"]).is_file():
                    data = (out / s["file"]).read_bytes()
                    s["byteLength"], s["sha256"] = len(data), hashlib.sha256(data).hexdigest()
        elif op == "file":
            if e["name"] == "model.json" and not frozen:
                (out / "model.json").write_text(text if text is not None else _compact(doc), encoding="utf-8")
                frozen = True
            file = out / e["name"]
            if e.get("remove"):
                file.unlink(missing_ok=True)
            elif "truncate" in e:
                file.write_bytes(file.read_bytes()[:e["truncate"]] if file.exists() else b"")
            elif "append_hex" in e:
                file.write_bytes((file.read_bytes() if file.exists() else b"") + bytes.fromhex(e["append_hex"]))
            elif "write_hex" in e:
                file.write_bytes(bytes.fromhex(e["write_hex"]))
            else:
                pytest.fail(f"{name}: file edit without remove/truncate/append_hex/write_hex")
        else:
            pytest.fail(f"{name}: unknown edit op {op!r}")
    if not frozen:
        (out / "model.json").write_text(text if text is not None else _compact(doc), encoding="utf-8")
    return out


@pytest.mark.parametrize("case", _all_cases())
def test_bundle_case(case, fixtures_dir, tmp_path):
    path = apply_edits(case, fixtures_dir / case["base"], tmp_path / "bundle")
    expect = case["expect"]
    if expect == "valid":
        load_bundle(path).selftest()
        return
    assert isinstance(expect, dict) and expect.get("code") in CODES, f"{case['name']}: expect is 'valid' or a code"
    with pytest.raises(BundleError) as info:
        load_bundle(path).selftest()
    assert info.value.code == expect["code"], f"{case['name']}: {info.value}"
    if "message" in expect:
        assert re.search(expect["message"], str(info.value)), f"{case['name']}: {info.value}"
