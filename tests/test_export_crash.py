"""Export leaves a complete bundle (old or new) at the path at every instant, ``kill -9`` included, cleans
up after a killed run, and serializes concurrent exports: ``webgrad.exporter.atomic_write``."""

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

import pytest
from export_safety.bundles import seed_of, snapshot, tfjs_folder, write_seeded

from webgrad.exporter import atomic_write, bundle_writer
from webgrad.exporter.bundle_reader import read_bundle

HELPER = Path(__file__).parent / "export_safety" / "export_and_die.py"
posix_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")


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
        write_seeded(graph, "/unused", seed, **kw)
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
    write_seeded(bundle_graph("mlp", seed=1), d, 1, shard_bytes=500)  # four shards
    (d / "README.md").write_text("mine")


def _make_tfjs(d, bundle_graph):
    tfjs_folder(d)


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
    write_seeded(graphs[2], reference, 2, shard_bytes=700)
    template = tmp_path / "template"
    template.mkdir()
    if make is not None:
        make(template / "b", bundle_graph)
    theirs = {k: v for k, v in snapshot(template / "b").items() if k in ("README.md", "index.html")} \
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
            seed = seed_of(d, graphs)
        else:
            seed = None
        assert seed in allowed, f"killed at step {step}: the path holds {seed}"
        seen.add(seed)
        for name, data in theirs.items():
            assert (d / name).read_bytes() == data, f"killed at step {step}: {name} changed"
        # the next export finishes the job and leaves exactly the bundle and the user's files
        write_seeded(graphs[2], d, 2, shard_bytes=700, overwrite=overwrite)
        want = {**snapshot(reference), **theirs}
        if scenario == "tfjs+overwrite":
            want["group1-shard1of1.bin"] = b"\x01\x02"
        assert snapshot(d) == want, f"killed at step {step}: leftovers after the next export"
    assert step > 10 and seen == allowed  # every step was tried, and both states were seen


@posix_only
def test_kill_before_any_rename_or_delete_keeps_a_bundle(tmp_path, bundle_graph):
    """Knows nothing of the writer's steps: the child dies just before its k-th rename, unlink or rmtree
    (the old directory swap lost the bundle between its two renames)."""
    graphs = {1: bundle_graph("mlp", seed=1), 2: bundle_graph("mlp", seed=2)}
    for k in range(1, 100):
        d = tmp_path / f"run{k}" / "b"
        write_seeded(graphs[1], d, 1, shard_bytes=500)
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
                write_seeded(graphs[2], d, 2, shard_bytes=700)
                os._exit(0)
            except BaseException:
                os._exit(3)
        _, status = os.waitpid(pid, 0)
        if not os.WIFSIGNALED(status):
            assert os.WEXITSTATUS(status) == 0
            break
        assert seed_of(d, graphs) in (1, 2), f"killed before filesystem call {k}"
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
    before = snapshot(d)
    monkeypatch.setattr(atomic_write, "_fsync_dir", lambda path: (_ for _ in ()).throw(OSError("disk gone")))
    with pytest.raises(OSError, match="disk gone"):
        write_seeded(bundle_graph("mlp", seed=2), d, 2, shard_bytes=700)
    assert snapshot(d) == before


def test_leftover_folders_of_the_old_writer_are_removed(tmp_path, bundle_graph):
    write_seeded(bundle_graph("mlp", seed=1), tmp_path / "b", 1)
    for leftover in (".b.tmp-123-0123abcd", ".b.old-123-89abcdef"):
        (tmp_path / leftover).mkdir()
        for f in ("model.json", "weights-000.bin"):
            (tmp_path / leftover / f).write_bytes((tmp_path / "b" / f).read_bytes())
    (tmp_path / ".b.old-9-deadbeef").mkdir()
    (tmp_path / ".b.old-9-deadbeef" / "diary.txt").write_text("not the writer's")  # kept: not bundle files
    (tmp_path / ".b.tmp-7-00000000").symlink_to(tmp_path / "b")  # kept: a link, not a folder it made
    write_seeded(bundle_graph("mlp", seed=2), tmp_path / "b", 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".b.old-9-deadbeef", ".b.tmp-7-00000000", "b"]


# ---- concurrent exports -----------------------------------------------------------------------------------
def test_concurrent_exports_to_one_path_run_one_after_the_other(tmp_path, bundle_graph, monkeypatch):
    d = tmp_path / "b"
    write_seeded(bundle_graph("mlp", seed=1), d, 1, shard_bytes=500)
    log, first_inside, release = [], threading.Event(), threading.Event()

    def hook(label):
        log.append(threading.current_thread().name)
        if threading.current_thread().name == "first" and not first_inside.is_set():
            first_inside.set()
            release.wait(timeout=120)

    monkeypatch.setattr(atomic_write, "_step_hook", hook)
    first = threading.Thread(name="first", target=write_seeded, args=(bundle_graph("mlp", seed=2), d, 2),
                             kwargs={"shard_bytes": 700})
    second = threading.Thread(name="second", target=write_seeded, args=(bundle_graph("mlp", seed=3), d, 3))
    first.start()
    assert first_inside.wait(timeout=120), "the export reported no step"
    second.start()
    time.sleep(0.3)  # room for the second export to interleave, were it not locked out
    release.set()
    first.join()
    second.join()
    assert log == sorted(log), "the second export ran steps while the first held the directory"
    assert log.count("second") > 0 and seed_of(d, {3: bundle_graph("mlp", seed=3)}) == 3
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
