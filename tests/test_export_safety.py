"""Export never deletes what it did not write, and leaves a complete bundle at the path at every instant
(``kill -9`` included): ``webgrad.exporter.atomic_write`` behind ``write_bundle`` / ``wg.export``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import webgrad as wg
from webgrad.exporter import atomic_write, bundle_writer
from webgrad.exporter.atomic_write import ExportTargetError
from webgrad.exporter.bundle_reader import BundleError, read_bundle
from webgrad.exporter.bundle_writer import write_bundle

HELPER = Path(__file__).parent / "export_safety" / "export_and_die.py"
posix_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")


def _snapshot(directory: Path) -> dict[str, bytes | str]:
    """Every entry under ``directory`` (recursively): file bytes, or the target of a symlink."""
    out: dict[str, bytes | str] = {}
    for p in sorted(directory.rglob("*")):
        key = str(p.relative_to(directory))
        if p.is_symlink():
            out[key] = f"-> {os.readlink(p)}"
        elif p.is_file():
            out[key] = p.read_bytes()
    return out


def _write(graph, path, seed, **kw):
    return write_bundle(graph, path, metadata={"seed": seed}, **kw)


def _seed_of(path: Path, graphs: dict[int, object]) -> int:
    """Which export's bundle ``path`` holds (read and verified in full), by its metadata and weights."""
    bundle = read_bundle(path)
    seed = bundle.metadata["seed"]
    for name, value in graphs[seed].constants.items():
        np.testing.assert_array_equal(bundle.graph.constants[name], value)
    return seed


def _tfjs_folder(path: Path) -> None:
    path.mkdir()
    (path / "model.json").write_text(json.dumps({"format": "layers-model", "weightsManifest": []}))
    (path / "group1-shard1of1.bin").write_bytes(b"\x01\x02")
    (path / "index.html").write_text("<html>my demo</html>")


# ---- never deletes what it did not write ---------------------------------------------------------------
def test_reexport_keeps_the_users_files_and_is_byte_identical(tmp_path, bundle_graph):
    b = tmp_path / "b"
    _write(bundle_graph("mlp", seed=1), b, 1, shard_bytes=500)
    (b / "README.md").write_text("about my model")
    (b / "notes").mkdir()
    (b / "notes" / "todo.txt").write_text("retrain")
    (b / "weights-old.txt").write_text("not a shard name")
    report = _write(bundle_graph("mlp", seed=2), b, 2, shard_bytes=700)  # fewer shards now
    assert sorted(p.name for p in b.iterdir()) == ["README.md", "model.json", "notes", "weights-000.bin",
                                                   "weights-001.bin", "weights-002.bin", "weights-old.txt"]
    assert (b / "README.md").read_text() == "about my model" and (b / "notes" / "todo.txt").read_text() == "retrain"
    assert _seed_of(b, {2: bundle_graph("mlp", seed=2)}) == 2
    fresh = _write(bundle_graph("mlp", seed=2), tmp_path / "fresh", 2, shard_bytes=700)
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
    _tfjs_folder(d)
    if kind == "not-json":
        (d / "model.json").write_text("{oops")
    elif kind == "no-model-json":
        (d / "model.json").unlink()
    before = _snapshot(d)
    with pytest.raises(ExportTargetError, match="not a webgrad bundle") as e:
        write_bundle(bundle_graph("mlp"), d)
    assert str(d) in str(e.value) and "index.html" in str(e.value) and "overwrite=True" in str(e.value)
    assert isinstance(e.value, BundleError) and e.value.code == "EARG"
    assert _snapshot(d) == before


def test_overwrite_adds_the_bundle_and_deletes_nothing(tmp_path, bundle_graph):
    d = tmp_path / "site"
    _tfjs_folder(d)
    _write(bundle_graph("mlp", seed=1), d, 1, overwrite=True, shard_bytes=500)
    assert (d / "index.html").read_text() == "<html>my demo</html>"
    assert (d / "group1-shard1of1.bin").read_bytes() == b"\x01\x02"
    assert _seed_of(d, {1: bundle_graph("mlp", seed=1)}) == 1
    _write(bundle_graph("mlp", seed=2), d, 2, shard_bytes=700)  # a bundle now: no overwrite needed
    assert sorted(p.name for p in d.iterdir()) == ["group1-shard1of1.bin", "index.html", "model.json",
                                                   "weights-000.bin", "weights-001.bin", "weights-002.bin"]


def test_only_the_listed_shards_are_replaced(tmp_path, bundle_graph):
    d = tmp_path / "b"
    _write(bundle_graph("mlp", seed=1), d, 1)  # one shard
    (d / "weights-001.bin").write_bytes(b"the user's, not listed")
    with pytest.raises(ExportTargetError, match=r"does not list weights-001\.bin"):
        _write(bundle_graph("mlp", seed=2), d, 2, shard_bytes=700)
    assert (d / "weights-001.bin").read_bytes() == b"the user's, not listed"
    assert _seed_of(d, {1: bundle_graph("mlp", seed=1)}) == 1
    _write(bundle_graph("mlp", seed=2), d, 2, shard_bytes=700, overwrite=True)
    assert _seed_of(d, {2: bundle_graph("mlp", seed=2)}) == 2


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
    _write(bundle_graph("mlp", seed=1), real, 1)
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    _write(bundle_graph("mlp", seed=2), tmp_path / "link", 2)
    assert (tmp_path / "link").is_symlink() and _seed_of(real, {2: bundle_graph("mlp", seed=2)}) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]
    (tmp_path / "parent").symlink_to(tmp_path / "real_parent_target")
    (tmp_path / "real_parent_target").mkdir()
    _write(bundle_graph("mlp", seed=3), tmp_path / "parent" / "b", 3)
    assert _seed_of(tmp_path / "real_parent_target" / "b", {3: bundle_graph("mlp", seed=3)}) == 3


def test_symlinked_bundle_files_are_replaced_not_written_through(tmp_path, bundle_graph):
    elsewhere = tmp_path / "elsewhere"
    _write(bundle_graph("mlp", seed=1), elsewhere, 1)
    before = _snapshot(elsewhere)
    d = tmp_path / "b"
    d.mkdir()
    for name in ("model.json", "weights-000.bin"):
        (d / name).symlink_to(elsewhere / name)
    _write(bundle_graph("mlp", seed=2), d, 2)
    assert _snapshot(elsewhere) == before
    assert not (d / "model.json").is_symlink() and not (d / "weights-000.bin").is_symlink()
    assert _seed_of(d, {2: bundle_graph("mlp", seed=2)}) == 2


# ---- crash safety: a kill at every step -------------------------------------------------------------------
def _prepared(graph, seed, **kw):
    """(manifest_for, shards) exactly as write_bundle hands them to replace_bundle (rendered here, so a
    forked child only does file work)."""
    captured = {}

    def record(path, manifest_for, shards, *, overwrite, write_file):
        captured.update(manifest_for=manifest_for, shards=shards)

    real = bundle_writer.replace_bundle
    bundle_writer.replace_bundle = record
    try:
        _write(graph, "/unused", seed, **kw)
    finally:
        bundle_writer.replace_bundle = real
    return captured["manifest_for"], captured["shards"]


def _run_killed_at(step: int, path: Path, prepared, overwrite: bool) -> bool:
    """Runs the replace in a forked child that SIGKILLs itself at its ``step``-th filesystem step;
    True if it was killed there, False if it finished first."""
    pid = os.fork()
    if pid == 0:  # child: never returns into pytest
        try:
            count = 0

            def hook(label):
                nonlocal count
                count += 1
                if count == step:
                    os.kill(os.getpid(), signal.SIGKILL)

            atomic_write._step_hook = hook
            atomic_write.replace_bundle(path, *prepared, overwrite=overwrite)
            os._exit(0)
        except BaseException:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return True
    assert os.WEXITSTATUS(status) == 0, f"the export failed at step {step} instead of finishing or dying"
    return False


def _make_old_bundle(d, bundle_graph):
    _write(bundle_graph("mlp", seed=1), d, 1, shard_bytes=500)  # four shards
    (d / "README.md").write_text("mine")


def _make_tfjs(d, bundle_graph):
    _tfjs_folder(d)


SCENARIOS = {  # name: (how the directory starts, overwrite, seeds a reader may see there)
    "bundle": (_make_old_bundle, False, {1, 2}),
    "missing": (None, False, {None, 2}),
    "tfjs+overwrite": (_make_tfjs, True, {None, 2}),
}


@posix_only
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_kill_at_every_step_leaves_the_old_or_the_new_bundle(tmp_path, bundle_graph, scenario):
    make, overwrite, allowed = SCENARIOS[scenario]
    graphs = {1: bundle_graph("mlp", seed=1), 2: bundle_graph("mlp", seed=2)}
    prepared = _prepared(graphs[2], 2, shard_bytes=700)
    reference = tmp_path / "reference"
    _write(graphs[2], reference, 2, shard_bytes=700)
    template = tmp_path / "template"
    template.mkdir()
    if make is not None:
        make(template / "b", bundle_graph)
    theirs = {k: v for k, v in _snapshot(template / "b").items() if k in ("README.md", "index.html")} \
        if make else {}
    step, seen = 0, set()
    while True:
        step += 1
        d = tmp_path / f"run{step}" / "b"
        d.parent.mkdir()
        if make is not None:
            make(d, bundle_graph)
        if not _run_killed_at(step, d, prepared, overwrite):
            break
        if (d / "model.json").exists() and json.loads((d / "model.json").read_text()).get("format") == "webgrad-bundle":
            seed = _seed_of(d, graphs)
        else:
            seed = None
        assert seed in allowed, f"killed at step {step}: the path holds {seed}"
        seen.add(seed)
        for name, data in theirs.items():
            assert (d / name).read_bytes() == data, f"killed at step {step}: {name} changed"
        # the next export finishes the job and leaves exactly the bundle and the user's files
        _write(graphs[2], d, 2, shard_bytes=700, overwrite=overwrite)
        want = {**_snapshot(reference), **theirs}
        if scenario == "tfjs+overwrite":
            want["group1-shard1of1.bin"] = b"\x01\x02"
        assert _snapshot(d) == want, f"killed at step {step}: leftovers after the next export"
    assert step > 10 and seen == allowed  # every step was tried, and both states were seen


@posix_only
def test_kill_before_any_rename_or_delete_keeps_a_bundle(tmp_path, bundle_graph):
    """Knows nothing of the writer's steps: the child dies just before its k-th rename, unlink or rmtree
    (the old directory swap lost the bundle between its two renames)."""
    graphs = {1: bundle_graph("mlp", seed=1), 2: bundle_graph("mlp", seed=2)}
    for k in range(1, 100):
        d = tmp_path / f"run{k}" / "b"
        _write(graphs[1], d, 1, shard_bytes=500)
        pid = os.fork()
        if pid == 0:
            try:
                count = 0

                def dying(real, at=k):
                    def call(*a, **kw):
                        nonlocal count
                        count += 1
                        if count == at:
                            os.kill(os.getpid(), signal.SIGKILL)
                        return real(*a, **kw)
                    return call

                for module, name in ((os, "rename"), (os, "replace"), (os, "unlink"), (shutil, "rmtree")):
                    setattr(module, name, dying(getattr(module, name)))
                _write(graphs[2], d, 2, shard_bytes=700)
                os._exit(0)
            except BaseException:
                os._exit(3)
        _, status = os.waitpid(pid, 0)
        if not os.WIFSIGNALED(status):
            assert os.WEXITSTATUS(status) == 0
            break
        assert _seed_of(d, graphs) in (1, 2), f"killed before filesystem call {k}"
    assert k > 3


@posix_only
@pytest.mark.parametrize("kill_at", ["renamed to model.json", "linked", "removed weights-002"])
def test_kill_9_of_a_real_export_process(tmp_path, kill_at):
    d = tmp_path / "b"
    run = lambda *a: subprocess.run([sys.executable, str(HELPER), str(d), *a],  # noqa: E731
                                    capture_output=True, text=True, timeout=120)
    assert run("1", "500").returncode == 0
    (d / "index.html").write_text("mine")
    r = run("2", "700", kill_at)
    assert r.returncode == -signal.SIGKILL, r.stderr
    assert read_bundle(d).metadata["seed"] in (1, 2) and (d / "index.html").read_text() == "mine"
    assert run("3", "700").returncode == 0
    assert read_bundle(d).metadata["seed"] == 3
    assert sorted(p.name for p in d.iterdir()) == ["index.html", "model.json", "weights-000.bin",
                                                   "weights-001.bin", "weights-002.bin"]


def test_a_failed_export_removes_its_own_files_only(tmp_path, bundle_graph, monkeypatch):
    d = tmp_path / "b"
    _make_old_bundle(d, bundle_graph)
    before = _snapshot(d)
    monkeypatch.setattr(atomic_write, "_fsync_dir", lambda path: (_ for _ in ()).throw(OSError("disk gone")))
    with pytest.raises(OSError, match="disk gone"):
        _write(bundle_graph("mlp", seed=2), d, 2, shard_bytes=700)
    assert _snapshot(d) == before


def test_leftover_folders_of_the_old_writer_are_removed(tmp_path, bundle_graph):
    _write(bundle_graph("mlp", seed=1), tmp_path / "b", 1)
    for leftover in (".b.tmp-123-0123abcd", ".b.old-123-89abcdef"):
        (tmp_path / leftover).mkdir()
        for f in ("model.json", "weights-000.bin"):
            (tmp_path / leftover / f).write_bytes((tmp_path / "b" / f).read_bytes())
    (tmp_path / ".b.old-9-deadbeef").mkdir()
    (tmp_path / ".b.old-9-deadbeef" / "diary.txt").write_text("not the writer's")  # kept: not bundle files
    (tmp_path / ".b.tmp-7-00000000").symlink_to(tmp_path / "b")  # kept: a link, not a folder it made
    _write(bundle_graph("mlp", seed=2), tmp_path / "b", 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".b.old-9-deadbeef", ".b.tmp-7-00000000", "b"]


# ---- concurrent exports -----------------------------------------------------------------------------------
def test_concurrent_exports_to_one_path_run_one_after_the_other(tmp_path, bundle_graph, monkeypatch):
    d = tmp_path / "b"
    _write(bundle_graph("mlp", seed=1), d, 1, shard_bytes=500)
    log, first_inside, release = [], threading.Event(), threading.Event()

    def hook(label):
        log.append(threading.current_thread().name)
        if threading.current_thread().name == "first" and not first_inside.is_set():
            first_inside.set()
            release.wait(timeout=120)

    monkeypatch.setattr(atomic_write, "_step_hook", hook)
    first = threading.Thread(name="first", target=_write, args=(bundle_graph("mlp", seed=2), d, 2),
                             kwargs={"shard_bytes": 700})
    second = threading.Thread(name="second", target=_write, args=(bundle_graph("mlp", seed=3), d, 3))
    first.start()
    assert first_inside.wait(timeout=120), "the export reported no step"
    second.start()
    time.sleep(0.3)  # room for the second export to interleave, were it not locked out
    release.set()
    first.join()
    second.join()
    assert log == sorted(log), "the second export ran steps while the first held the directory"
    assert log.count("second") > 0 and _seed_of(d, {3: bundle_graph("mlp", seed=3)}) == 3
    assert sorted(p.name for p in d.iterdir()) == ["model.json", "weights-000.bin"]


@posix_only
def test_racing_export_processes_leave_one_complete_bundle(tmp_path):
    d = tmp_path / "b"
    procs = [subprocess.Popen([sys.executable, str(HELPER), str(d), str(seed), str(300 + 100 * seed)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for seed in range(1, 7)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
    seed = read_bundle(d).metadata["seed"]
    shards = len(read_bundle(d).manifest["weights"]["shards"])
    assert sorted(p.name for p in d.iterdir()) == ["model.json", *(f"weights-{i:03d}.bin" for i in range(shards))]
    assert seed in range(1, 7)


def test_cli_overwrite_flag(tmp_path):
    (tmp_path / "m.py").write_text(
        "import webgrad as wg\nmodel = wg.Sequential([wg.Input((4,)), wg.layers.Dense(3, activation='softmax')])\n")
    _tfjs_folder(tmp_path / "site")
    cli = lambda *a: subprocess.run([sys.executable, "-m", "webgrad.cli", "export", f"{tmp_path / 'm.py'}",  # noqa: E731
                                     str(tmp_path / "site"), *a], capture_output=True, text=True, timeout=120)
    r = cli()
    assert r.returncode == 2 and "not a webgrad bundle" in r.stderr and "Traceback" not in r.stderr
    assert "--overwrite" in r.stderr
    r = cli("--overwrite")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "site" / "index.html").exists() and read_bundle(tmp_path / "site")
