"""Export never deletes what it did not write: ``webgrad.exporter.atomic_write`` behind ``write_bundle`` /
``wg.export`` (crash safety and concurrency: test_export_crash.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from export_safety.bundles import seed_of, snapshot, tfjs_folder, write_seeded

import webgrad as wg
from webgrad.exporter.atomic_write import ExportTargetError
from webgrad.exporter.bundle_reader import BundleError, read_bundle
from webgrad.exporter.bundle_writer import write_bundle


# ---- never deletes what it did not write ---------------------------------------------------------------
def test_reexport_keeps_the_users_files_and_is_byte_identical(tmp_path, bundle_graph):
    b = tmp_path / "b"
    write_seeded(bundle_graph("mlp", seed=1), b, 1, shard_bytes=500)
    (b / "README.md").write_text("about my model")
    (b / "notes").mkdir()
    (b / "notes" / "todo.txt").write_text("retrain")
    (b / "weights-old.txt").write_text("not a shard name")
    report = write_seeded(bundle_graph("mlp", seed=2), b, 2, shard_bytes=700)  # fewer shards now
    assert sorted(p.name for p in b.iterdir()) == ["README.md", "model.json", "notes", "weights-000.bin",
                                                   "weights-001.bin", "weights-002.bin", "weights-old.txt"]
    assert (b / "README.md").read_text() == "about my model" and (b / "notes" / "todo.txt").read_text() == "retrain"
    assert seed_of(b, {2: bundle_graph("mlp", seed=2)}) == 2
    fresh = write_seeded(bundle_graph("mlp", seed=2), tmp_path / "fresh", 2, shard_bytes=700)
    assert [f.read_bytes() for f in report.files] == [f.read_bytes() for f in fresh.files]


def test_wg_export_into_a_bundle_folder_keeps_its_readme(tmp_path):
    model = wg.Sequential([wg.Input((4,)), wg.layers.Dense(3, activation="softmax")])
    wg.export(model, tmp_path / "m", verbose=0)
    (tmp_path / "m" / "README.md").write_text("mine")
    wg.export(model, tmp_path / "m", quantize="int8", verbose=0)
    assert (tmp_path / "m" / "README.md").read_text() == "mine"
    assert read_bundle(tmp_path / "m").manifest["weights"]["tensors"][0]["dtype"] == "int8"


@pytest.mark.parametrize("kind", ["tfjs", "not-json", "no-model-json"])
def test_refuses_a_directory_that_is_not_a_bundle_and_touches_nothing(tmp_path, bundle_graph, kind):
    d = tmp_path / "site"
    tfjs_folder(d)
    if kind == "not-json":
        (d / "model.json").write_text("{oops")
    elif kind == "no-model-json":
        (d / "model.json").unlink()
    before = snapshot(d)
    with pytest.raises(ExportTargetError, match="not a webgrad bundle") as e:
        write_bundle(bundle_graph("mlp"), d)
    assert str(d) in str(e.value) and "index.html" in str(e.value) and "overwrite=True" in str(e.value)
    assert isinstance(e.value, BundleError) and e.value.code == "EARG"
    assert snapshot(d) == before


def test_overwrite_adds_the_bundle_and_deletes_nothing(tmp_path, bundle_graph):
    d = tmp_path / "site"
    tfjs_folder(d)
    write_seeded(bundle_graph("mlp", seed=1), d, 1, overwrite=True, shard_bytes=500)
    assert (d / "index.html").read_text() == "<html>my demo</html>"
    assert (d / "group1-shard1of1.bin").read_bytes() == b"\x01\x02"
    assert seed_of(d, {1: bundle_graph("mlp", seed=1)}) == 1
    write_seeded(bundle_graph("mlp", seed=2), d, 2, shard_bytes=700)  # a bundle now: no overwrite needed
    assert sorted(p.name for p in d.iterdir()) == ["group1-shard1of1.bin", "index.html", "model.json",
                                                   "weights-000.bin", "weights-001.bin", "weights-002.bin"]


def test_only_the_listed_shards_are_replaced(tmp_path, bundle_graph):
    d = tmp_path / "b"
    write_seeded(bundle_graph("mlp", seed=1), d, 1)  # one shard
    (d / "weights-001.bin").write_bytes(b"the user's, not listed")
    with pytest.raises(ExportTargetError, match=r"does not list weights-001\.bin"):
        write_seeded(bundle_graph("mlp", seed=2), d, 2, shard_bytes=700)
    assert (d / "weights-001.bin").read_bytes() == b"the user's, not listed"
    assert seed_of(d, {1: bundle_graph("mlp", seed=1)}) == 1
    write_seeded(bundle_graph("mlp", seed=2), d, 2, shard_bytes=700, overwrite=True)
    assert seed_of(d, {2: bundle_graph("mlp", seed=2)}) == 2


def test_a_hostile_model_json_cannot_make_export_delete_other_files(tmp_path, bundle_graph):
    d = tmp_path / "b"
    d.mkdir()
    (tmp_path / "victim.txt").write_text("keep")
    (d / "README.md").write_text("keep")
    shards = [{"file": name, "byteLength": 4, "sha256": "0" * 64} for name in ("../victim.txt", "README.md")]
    (d / "model.json").write_text(json.dumps({"format": "webgrad-bundle", "weights": {"shards": shards}}))
    write_bundle(bundle_graph("mlp"), d)
    assert (tmp_path / "victim.txt").read_text() == "keep" and (d / "README.md").read_text() == "keep"
    read_bundle(d)


def test_target_that_is_a_file_or_a_broken_link_is_refused(tmp_path, bundle_graph):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ExportTargetError, match="is not a directory"):
        write_bundle(bundle_graph("mlp"), tmp_path / "f")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(ExportTargetError, match="does not exist"):
        write_bundle(bundle_graph("mlp"), tmp_path / "dangling")
    assert (tmp_path / "f").read_text() == "x" and not (tmp_path / "nowhere").exists()


# ---- symlinks -------------------------------------------------------------------------------------------
def test_symlinked_path_and_parent_are_written_through(tmp_path, bundle_graph):
    real = tmp_path / "real"
    write_seeded(bundle_graph("mlp", seed=1), real, 1)
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    write_seeded(bundle_graph("mlp", seed=2), tmp_path / "link", 2)
    assert (tmp_path / "link").is_symlink() and seed_of(real, {2: bundle_graph("mlp", seed=2)}) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]
    (tmp_path / "parent").symlink_to(tmp_path / "real_parent_target")
    (tmp_path / "real_parent_target").mkdir()
    write_seeded(bundle_graph("mlp", seed=3), tmp_path / "parent" / "b", 3)
    assert seed_of(tmp_path / "real_parent_target" / "b", {3: bundle_graph("mlp", seed=3)}) == 3


def test_symlinked_bundle_files_are_replaced_not_written_through(tmp_path, bundle_graph):
    elsewhere = tmp_path / "elsewhere"
    write_seeded(bundle_graph("mlp", seed=1), elsewhere, 1)
    before = snapshot(elsewhere)
    d = tmp_path / "b"
    d.mkdir()
    for name in ("model.json", "weights-000.bin"):
        (d / name).symlink_to(elsewhere / name)
    write_seeded(bundle_graph("mlp", seed=2), d, 2)
    assert snapshot(elsewhere) == before
    assert not (d / "model.json").is_symlink() and not (d / "weights-000.bin").is_symlink()
    assert seed_of(d, {2: bundle_graph("mlp", seed=2)}) == 2


def test_cli_overwrite_flag(tmp_path):
    (tmp_path / "m.py").write_text(
        "import webgrad as wg\nmodel = wg.Sequential([wg.Input((4,)), wg.layers.Dense(3, activation='softmax')])\n")
    tfjs_folder(tmp_path / "site")
    cli = lambda *a: subprocess.run([sys.executable, "-m", "webgrad.cli", "export", f"{tmp_path / 'm.py'}",  # noqa: E731
                                     str(tmp_path / "site"), *a], capture_output=True, text=True, timeout=120)
    r = cli()
    assert r.returncode == 2 and "not a webgrad bundle" in r.stderr and "Traceback" not in r.stderr
    assert "--overwrite" in r.stderr
    r = cli("--overwrite")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "site" / "index.html").exists() and read_bundle(tmp_path / "site")
