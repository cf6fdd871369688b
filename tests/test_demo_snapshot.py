"""The demo server while bundles change under it (issue 12, defects 3 and 12): one consistent snapshot per
bundle version, ETags that are the SHA-256 of the bytes sent, no half-written or foreign folder listed,
no server path shown to clients, no symlink followed, 503 + Retry-After (never 500) while a bundle keeps
changing, and a real threaded server under continuous re-export with 50 clients."""

from __future__ import annotations

import collections
import hashlib
import io
import json
import os
import shutil
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # demo_app is a folder of the repository, not an installed package
    sys.path.insert(0, str(REPO))

from demo_app import create_app  # noqa: E402
from demo_app.bundles import BundleIndex  # noqa: E402
from demo_app.stress import LIVE, export_version, run_stress, two_versions  # noqa: E402

NAME = "tiny-float32"


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same small MLP exported with two weight sets: same file names, different bytes."""
    root = tmp_path_factory.mktemp("versions")
    graphs = two_versions()
    for i, graph in enumerate(graphs, 1):
        export_version(graph, root / f"v{i}")
    return root / "v1", root / "v2"


@pytest.fixture
def bundles(tmp_path: Path, versions: tuple[Path, Path]) -> Path:
    """A bundle directory holding ``tiny-float32`` at version 1."""
    root = tmp_path / "bundles"
    root.mkdir()
    shutil.copytree(versions[0], root / NAME)
    return root


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def etag(response: Any) -> str:
    return response.headers["ETag"].strip('"')


def shard_names(bundle: Path) -> list[str]:
    return [s["file"] for s in json.loads((bundle / "model.json").read_bytes())["weights"]["shards"]]


def commit(src: Path, dest: Path) -> None:
    """Puts the bundle ``src`` into ``dest`` the way an exporter does: each file by atomic replace, the
    shards first, ``model.json`` (the commit point) last."""
    for name in [*shard_names(src), "model.json"]:
        tmp = dest / f".{name}.tmp"
        shutil.copyfile(src / name, tmp)
        os.replace(tmp, dest / name)


def listed(client: Any) -> dict[str, dict[str, Any]]:
    return {b["name"]: b for b in client.get("/api/bundles").get_json()["bundles"]}


def on_open(monkeypatch: pytest.MonkeyPatch, suffix: str, action: Callable[[], None], times: int) -> list[int]:
    """Runs ``action`` just before the server opens a file whose name ends with ``suffix`` (the first
    ``times`` opens): a re-export landing in the middle of the server's reads."""
    real_open, fired = io.open, [0]

    def hooked(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).endswith(suffix) and fired[0] < times:
            fired[0] += 1
            action()
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", hooked)
    return fired


def assert_consistent(client: Any, name: str = NAME) -> dict[str, Any]:
    """model.json and every shard it lists, each with ETag == SHA-256 of its body, the shards matching."""
    r = client.get(f"/bundles/{name}/model.json")
    assert r.status_code == 200 and etag(r) == sha(r.data)
    manifest = json.loads(r.data)
    for shard in manifest["weights"]["shards"]:
        s = client.get(f"/bundles/{name}/{shard['file']}")
        assert s.status_code == 200 and etag(s) == sha(s.data) == shard["sha256"], shard["file"]
    return manifest


# -- never list a half-written or foreign folder --------------------------------------------------------------

def test_temporary_hidden_and_foreign_folders_are_not_listed(bundles: Path, versions: tuple[Path, Path]) -> None:
    tmp = bundles / f".{NAME}.tmp-1234-abcd"  # an export in progress: model.json there, shards not yet
    tmp.mkdir()
    shutil.copyfile(versions[1] / "model.json", tmp / "model.json")
    shutil.copytree(versions[1], bundles / ".hidden-float32")  # complete, but a dot-folder
    (bundles / "tfjs_model").mkdir()  # someone else's model.json: not a webgrad bundle
    (bundles / "tfjs_model" / "model.json").write_text('{"format": "layers-model", "weightsManifest": []}')
    (bundles / "empty").mkdir()
    client = create_app(bundle_dir=bundles).test_client()
    assert list(listed(client)) == [NAME]
    for path in (f"/bundles/{tmp.name}/model.json", "/bundles/.hidden-float32/model.json",
                 "/bundles/tfjs_model/model.json", "/bundles/empty/model.json"):
        assert client.get(path).status_code == 404, path


def test_a_bundle_broken_for_good_is_still_listed_as_broken(bundles: Path) -> None:
    (bundles / NAME / shard_names(bundles / NAME)[1]).unlink()
    entry = listed(create_app(bundle_dir=bundles).test_client())[NAME]
    assert entry["ok"] is False and "weights-001.bin: missing" in entry["error"]


# -- no server paths ------------------------------------------------------------------------------------------

def test_clients_never_see_server_paths(bundles: Path, tmp_path: Path) -> None:
    (bundles / NAME / "weights-000.bin").write_bytes(b"damaged")
    client = create_app(bundle_dir=bundles).test_client()
    seen = [client.get("/api/bundles").get_data(as_text=True),
            client.get(f"/bundles/{NAME}/weights-999.bin").get_data(as_text=True),
            client.get("/bundles/nothing/model.json").get_data(as_text=True),
            create_app(bundle_dir=tmp_path / "nowhere").test_client().get("/api/bundles").get_data(as_text=True)]
    index = json.loads(seen[0])
    assert index["bundleDir"] == "bundles" and "weights-000.bin" in index["bundles"][0]["error"]
    assert "does not exist" in json.loads(seen[3])["problem"]
    for text in seen:
        assert str(tmp_path) not in text and str(tmp_path.resolve()) not in text, text


# -- no symlink followed --------------------------------------------------------------------------------------

@pytest.mark.parametrize("what", ["shard to a copy outside", "model.json to a copy outside", "shard inside"])
def test_symlinked_files_are_refused(bundles: Path, tmp_path: Path, what: str) -> None:
    bundle = bundles / NAME
    file = "model.json" if what.startswith("model.json") else "weights-000.bin"
    if what == "shard inside":  # refused too: one rule, no check-then-open race
        target = bundle / "real-000.bin"
    else:  # the same bytes, so a server that follows links would even pass the SHA-256 check
        target = tmp_path / "outside" / file
        target.parent.mkdir()
    shutil.move(bundle / file, target)
    (bundle / file).symlink_to(target)
    client = create_app(bundle_dir=bundles).test_client()
    assert client.get(f"/bundles/{NAME}/{file}").status_code == 404
    entry = listed(client)[NAME]
    assert entry["ok"] is False and f"{NAME}/{file}: a symlink (refused" in entry["error"]
    assert str(tmp_path) not in entry["error"]


def test_symlinked_bundle_folder_is_not_served(bundles: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    shutil.copytree(bundles / NAME, outside)
    (bundles / "linked-float32").symlink_to(outside, target_is_directory=True)
    client = create_app(bundle_dir=bundles).test_client()
    assert list(listed(client)) == [NAME]
    assert client.get("/bundles/linked-float32/model.json").status_code == 404


def test_fifo_as_shard_is_refused_without_blocking(bundles: Path) -> None:
    shard = bundles / NAME / "weights-001.bin"
    shard.unlink()
    os.mkfifo(shard)
    got: dict[str, Any] = {}
    client = create_app(bundle_dir=bundles).test_client()
    worker = threading.Thread(target=lambda: got.update(status=client.get(f"/bundles/{NAME}/weights-001.bin")
                                                        .status_code, index=listed(client)), daemon=True)
    worker.start()
    worker.join(timeout=60)  # a hang guard, not a speed check: reading a FIFO would block forever
    assert got.get("status") == 404
    assert "weights-001.bin: not a regular file" in got["index"][NAME]["error"]


# -- one consistent snapshot: retry, 503, ETags ---------------------------------------------------------------

def arrives_later(tmp_path: Path, version: Path) -> tuple[Any, Path]:
    """A client of a server started on an empty directory, and the bundle exported there since."""
    root = tmp_path / "later"
    root.mkdir()
    client = create_app(bundle_dir=root).test_client()
    shutil.copytree(version, root / NAME)
    return client, root


def test_reexport_landing_between_reads_is_read_again(tmp_path: Path, versions: tuple[Path, Path],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    client, bundles = arrives_later(tmp_path, versions[0])
    # the server has read v1's model.json when v2 is committed, just before it reads the first shard
    fired = on_open(monkeypatch, "weights-000.bin", lambda: commit(versions[1], bundles / NAME), times=1)
    r = client.get(f"/bundles/{NAME}/model.json")
    assert fired == [1]
    assert r.status_code == 200 and r.data == (versions[1] / "model.json").read_bytes() and etag(r) == sha(r.data)
    assert assert_consistent(client) == json.loads(r.data)
    assert listed(client)[NAME]["ok"] is True


def test_bundle_that_keeps_changing_gets_503_with_retry_after(tmp_path: Path, versions: tuple[Path, Path],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    client, bundles = arrives_later(tmp_path, versions[0])
    flip = iter(range(1, 1000))
    fired = on_open(monkeypatch, "weights-001.bin", lambda: commit(versions[next(flip) % 2], bundles / NAME),
                    times=1000)
    r = client.get(f"/bundles/{NAME}/model.json")
    assert fired[0] >= 2  # read again after every change
    assert r.status_code == 503 and r.headers["Retry-After"] == "1" and r.headers["Cache-Control"] == "no-store"
    assert NAME not in listed(client)  # never seen whole: not listed yet
    monkeypatch.undo()
    assert_consistent(client)


def test_last_consistent_snapshot_is_served_while_the_bundle_keeps_changing(
        bundles: Path, versions: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    client = create_app(bundle_dir=bundles).test_client()
    v1 = assert_consistent(client)
    commit(versions[1], bundles / NAME)  # changed on disk: the next request reads it again ...
    flip = iter(range(1000))
    on_open(monkeypatch, "weights-001.bin", lambda: commit(versions[next(flip) % 2], bundles / NAME), times=1000)
    assert assert_consistent(client) == v1  # ... and, as it never settles, keeps serving v1 whole


def test_etag_is_the_hash_of_the_bytes_sent_after_a_replace_that_keeps_size_and_mtime(
        bundles: Path, versions: tuple[Path, Path]) -> None:
    client = create_app(bundle_dir=bundles).test_client()
    assert listed(client)[NAME]["ok"] is True
    shard = bundles / NAME / "weights-000.bin"
    st = shard.stat()
    commit_one = bundles / NAME / ".new"
    shutil.copyfile(versions[1] / "weights-000.bin", commit_one)  # cp -p: other bytes, same size and mtime
    os.utime(commit_one, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(commit_one, shard)
    r = client.get(f"/bundles/{NAME}/weights-000.bin")
    assert r.status_code == 200 and etag(r) == sha(r.data) == sha(shard.read_bytes())
    assert "sha256 mismatch" in listed(client)[NAME]["error"]  # the shard no longer matches model.json


def test_shard_asked_for_by_its_sha256_is_that_version_or_404(bundles: Path, versions: tuple[Path, Path]) -> None:
    client = create_app(bundle_dir=bundles).test_client()
    v1 = assert_consistent(client)
    commit(versions[1], bundles / NAME)
    first = v1["weights"]["shards"][0]
    old = client.get(f"/bundles/{NAME}/{first['file']}?sha256={first['sha256']}")
    assert old.status_code == 200 and sha(old.data) == etag(old) == first["sha256"]
    new = client.get(f"/bundles/{NAME}/{first['file']}")
    assert new.status_code == 200 and sha(new.data) == etag(new) != first["sha256"]
    assert new.data == (versions[1] / first["file"]).read_bytes()
    assert client.get(f"/bundles/{NAME}/{first['file']}?sha256={'0' * 64}").status_code == 404
    assert client.get(f"/bundles/{NAME}/weights-001.bin?sha256={first['sha256']}").status_code == 404


def test_interim_shard_names_of_a_replaced_version_are_still_served(bundles: Path, versions: tuple[Path, Path]) -> None:
    # an exporter may commit a model.json naming interim shards, then the final one naming weights-000...
    bundle = bundles / NAME
    manifest = json.loads((versions[1] / "model.json").read_bytes())
    for i, shard in enumerate(manifest["weights"]["shards"]):
        shutil.copyfile(versions[1] / shard["file"], bundle / f"weights-{100 + i}.bin")
        shard["file"] = f"weights-{100 + i}.bin"
    (bundle / ".model.json.tmp").write_text(json.dumps(manifest))
    os.replace(bundle / ".model.json.tmp", bundle / "model.json")
    client = create_app(bundle_dir=bundles).test_client()
    assert client.get(f"/bundles/{NAME}/model.json").status_code == 200  # a client reads the interim version
    commit(versions[1], bundle)
    for shard in manifest["weights"]["shards"]:
        (bundle / shard["file"]).unlink()
    for shard in manifest["weights"]["shards"]:  # ... and asks for its shards after the final commit
        r = client.get(f"/bundles/{NAME}/{shard['file']}")
        assert r.status_code == 200 and etag(r) == sha(r.data) == shard["sha256"], shard["file"]
    assert listed(client)[NAME]["files"] == sorted(["model.json", *shard_names(versions[1])])
    assert client.get(f"/bundles/{NAME}/weights-099.bin").status_code == 404


def test_memory_is_bounded_and_evicted_files_are_checked_again(bundles: Path, versions: tuple[Path, Path]) -> None:
    index = BundleIndex(bundles, cache_bytes=1500)  # less than the bundle: most bytes are read again per request
    names = shard_names(bundles / NAME)
    for _ in range(2):
        for file in names:
            data, digest = index.file(NAME, file) or (b"", "")
            assert digest == sha(data) == sha((bundles / NAME / file).read_bytes())
        assert index.store.held_bytes <= 1500
        commit(versions[1], bundles / NAME)


# -- a real server under continuous re-export -----------------------------------------------------------------

@pytest.mark.parametrize("writer", ["export", "swap"])
def test_server_under_continuous_reexport_with_50_clients(tmp_path: Path, writer: str) -> None:
    report = run_stress(tmp_path / "bundles", seconds=5, clients=50, writer=writer)
    print(report.summary())
    assert report.exports > 1 and report.complete_sets > 0, report.summary()
    assert report.export_errors == [], report.summary()
    assert report.failures == [], report.summary()  # 5xx, ETag != SHA-256 of the body, wrong ?sha256= bytes
    assert set(report.statuses) <= {200, 404, 503}, report.summary()
    assert collections.Counter(k for k in report.by_kind if k.startswith("index ")) == {"index 200": 1}


def test_live_bundle_listed_whole(tmp_path: Path, versions: tuple[Path, Path]) -> None:
    root = tmp_path / "bundles"
    shutil.copytree(versions[0], root / LIVE)
    entry = listed(create_app(bundle_dir=root).test_client())[LIVE]
    assert entry["ok"] and entry["version"] == sha((root / LIVE / "model.json").read_bytes())
    assert entry["files"] == sorted(["model.json", *shard_names(root / LIVE)])
