"""The demo server without a browser: what it serves, with which headers, and what it refuses."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from demo_app import create_app
from demo_app.package import NpmPackage, PackageError, resolve_export

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def client(bundle_dir: Path) -> Any:
    return create_app(bundle_dir=bundle_dir).test_client()


def _raw_get(base: str, path: str, redirects: int = 3) -> int:
    """Status of a GET sent byte for byte (no client-side '..' normalisation), following same-server
    redirects (the router merges '//' with a 308)."""
    u = urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        location = response.getheader("Location")
    finally:
        conn.close()
    if response.status in (301, 302, 307, 308) and location and redirects:
        target = urlsplit(location)
        assert target.netloc in ("", u.netloc), f"{path} redirects off the server: {location}"
        return _raw_get(base, target.path + (f"?{target.query}" if target.query else ""), redirects - 1)
    return response.status


def test_page_headers_and_import_map(client: Any) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert r.headers["Cross-Origin-Embedder-Policy"] == "require-corp"
    entry = NpmPackage.load(REPO / "js_runtime").entry
    assert f'"webgrad": "./webgrad/{entry}"' in r.get_data(as_text=True)
    assert client.get(f"/webgrad/{entry}").status_code == 200


def test_bundle_etags_are_the_sha256s(client: Any, bundle_dir: Path) -> None:
    name = "tiny_cnn-int8"
    manifest_bytes = (bundle_dir / name / "model.json").read_bytes()
    shard = json.loads(manifest_bytes)["weights"]["shards"][0]
    r = client.get(f"/bundles/{name}/{shard['file']}")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/octet-stream"
    assert r.headers["ETag"] == f'"{shard["sha256"]}"'
    assert r.headers.get("Content-Encoding") is None  # dense weights are not worth gzipping
    r = client.get(f"/bundles/{name}/model.json")
    assert r.headers["ETag"] == f'"{hashlib.sha256(manifest_bytes).hexdigest()}"'
    again = client.get(f"/bundles/{name}/model.json", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Cross-Origin-Embedder-Policy"] == "require-corp"


def test_gzip_when_accepted_with_its_own_etag(client: Any, bundle_dir: Path) -> None:
    plain = client.get("/bundles/tiny_cnn-float32/model.json")
    packed = client.get("/bundles/tiny_cnn-float32/model.json", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data == (bundle_dir / "tiny_cnn-float32" / "model.json").read_bytes()
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '.gz"'
    assert client.get("/bundles/tiny_cnn-float32/model.json", headers={
        "Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}).status_code == 304


def test_wasm_is_application_wasm_and_compressed(client: Any) -> None:
    for name in ("webgrad-simd.wasm", "webgrad-relaxed.wasm"):
        r = client.get(f"/webgrad/wasm/{name}", headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "application/wasm"
        assert r.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(r.data) == (REPO / "js_runtime" / "wasm" / name).read_bytes()


def test_only_published_package_files_are_served(client: Any) -> None:
    assert client.get("/webgrad/package.json").status_code == 200
    for path in ("/webgrad/tsconfig.json", "/webgrad/node_modules/typescript/package.json",
                 "/webgrad/scripts/gen-opset.mjs"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("path", [
    "/bundles/../pyproject.toml", "/bundles/tiny_cnn-int8/../../pyproject.toml",
    "/bundles/tiny_cnn-int8/..%2f..%2fpyproject.toml", "/bundles/tiny_cnn-int8/%2e%2e/tiny_cnn_result.json",
    "/bundles/..%2F/tiny_cnn_result.json", "/bundles/tiny_cnn-int8//etc/passwd", "/bundles/tiny_cnn_result.json/x",
    "/webgrad/../pyproject.toml", "/webgrad/%2e%2e/%2e%2e/pyproject.toml", "/static/../app.py",
    "/static/%2e%2e/app.py", "/webgrad//etc/passwd",
])
def test_paths_outside_the_served_files_are_refused(demo_url: str, path: str) -> None:
    assert _raw_get(demo_url, path) in (400, 403, 404), path
    assert _raw_get(demo_url, "/bundles/tiny_cnn-int8/model.json") == 200


def test_missing_bundle_directory_is_reported_and_logged(tmp_path: Path, caplog: Any) -> None:
    with caplog.at_level(logging.WARNING, logger="demo_app"):
        client = create_app(bundle_dir=tmp_path / "nowhere").test_client()
    assert "does not exist" in caplog.text
    index = client.get("/api/bundles").get_json()
    assert index["bundles"] == [] and "does not exist" in index["problem"] and "scripts/main.sh" in index["problem"]
    assert client.get("/").status_code == 200
    assert client.get("/bundles/tiny_cnn-int8/model.json").status_code == 404


@pytest.mark.parametrize("damage", ["flip a weight byte", "truncate the shard", "delete the shard", "bad json"])
def test_corrupt_bundle_is_reported_and_logged(bundle_copy: Path, caplog: Any, damage: str) -> None:
    bundle = bundle_copy / "tiny_cnn-int8"
    shard = bundle / "weights-000.bin"
    if damage == "flip a weight byte":
        data = bytearray(shard.read_bytes())
        data[100] ^= 0xFF
        shard.write_bytes(bytes(data))
    elif damage == "truncate the shard":
        shard.write_bytes(shard.read_bytes()[:-10])
    elif damage == "delete the shard":
        shard.unlink()
    else:
        (bundle / "model.json").write_text('{"format": "webgrad-bundle", ', encoding="utf-8")
    expected = {"flip a weight byte": "sha256 mismatch", "truncate the shard": "bytes, model.json says",
                "delete the shard": "missing", "bad json": "not a valid bundle manifest"}[damage]
    with caplog.at_level(logging.WARNING, logger="demo_app"):
        client = create_app(bundle_dir=bundle_copy).test_client()
        entries = {b["name"]: b for b in client.get("/api/bundles").get_json()["bundles"]}
    assert entries["tiny_cnn-float32"]["ok"] is True
    assert entries["tiny_cnn-int8"]["ok"] is False and expected in entries["tiny_cnn-int8"]["error"]
    assert "bundle tiny_cnn-int8: corrupt" in caplog.text or "not a valid bundle manifest" in caplog.text


def test_bundle_index_has_the_card_facts(client: Any) -> None:
    index = client.get("/api/bundles").get_json()
    entries = {b["name"]: b for b in index["bundles"]}
    assert set(entries) == {"tiny_cnn-float32", "tiny_cnn-int8"} and index["defaultModel"] == "tiny_cnn"
    f32, i8 = entries["tiny_cnn-float32"], entries["tiny_cnn-int8"]
    assert (f32["dtype"], i8["dtype"]) == ("float32", "int8") and i8["bytes"] < f32["bytes"] / 2
    assert 0.9 < f32["testAccuracy"] <= 1 and f32["exported"].endswith("+00:00")


def test_package_entry_follows_exports(tmp_path: Path) -> None:
    assert resolve_export({"types": "./t.d.ts", "import": "./src/index.js"}) == "./src/index.js"
    assert resolve_export({"node": "./n.js", "browser": {"import": "./b.mjs"}, "import": "./i.js"}) == "./b.mjs"
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "webgrad.js").write_text("export {};", encoding="utf-8")
    (tmp_path / "secret.js").write_text("", encoding="utf-8")
    manifest = {"name": "webgrad", "version": "9.9.9", "files": ["dist/"],
                "exports": {".": {"types": "./x.d.ts", "browser": "./dist/webgrad.js", "import": "./src/i.js"}}}
    (tmp_path / "package.json").write_text(json.dumps(manifest), encoding="utf-8")
    package = NpmPackage.load(tmp_path)
    assert package.entry == "dist/webgrad.js" and package.path_of("secret.js") is None
    manifest["exports"] = {".": {"import": "./dist/missing.js"}}
    (tmp_path / "package.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(PackageError, match="not among the published files"):
        NpmPackage.load(tmp_path)


def test_command_line_serves_and_stops_on_ctrl_c(bundle_dir: Path) -> None:
    env = {**os.environ, "WEBGRAD_DEMO_BUNDLES": str(bundle_dir), "WEBGRAD_DEMO_PORT": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "demo_app", "--host", "127.0.0.1"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("webgrad demo: serving"), line + (proc.stderr.read() if proc.stderr else "")
        url = line.split(" at ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:") and str(bundle_dir) in line
        assert _raw_get(url, "/bundles/tiny_cnn-float32/model.json") == 200
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "stopped" in out
