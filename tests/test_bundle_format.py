"""Web bundle v1: round trip, layout, sharding, determinism, atomic writes, self-test, the Python runner."""

from __future__ import annotations

import base64
import datetime
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from webgrad.exporter import atomic_write, bundle_writer
from webgrad.exporter.bundle_reader import SCHEMA_PATH, BundleError, read_bundle
from webgrad.exporter.bundle_writer import shard_name, write_bundle
from webgrad.exporter.graph import Graph, GraphError, Node, TensorSpec
from webgrad.exporter.runner import load_bundle
from webgrad.exporter.tensor_codec import render


def _feeds(graph, n=7, seed=3):
    rng = np.random.default_rng(seed)
    return {s.name: rng.random((n, *s.shape[1:]), dtype=np.float32) for s in graph.inputs}


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_float32_round_trip_is_exact(tmp_path, bundle_graph, kind):
    g = bundle_graph(kind)
    report = write_bundle(g, tmp_path / "b")
    b = read_bundle(report.path)
    for name, value in g.constants.items():
        assert b.graph.constants[name].dtype == np.float32
        np.testing.assert_array_equal(b.graph.constants[name], value)
    feeds = _feeds(g)
    np.testing.assert_array_equal(b.graph.run(feeds)[0], g.run(feeds)[0])
    assert [n.to_json()["inputs"] for n in b.graph.nodes] == [n.inputs for n in g.nodes]
    assert b.signature["inputs"][0]["shape"][0] is None  # the dynamic batch dim is null
    m = b.manifest
    # v1 ops only, so the bundle declares op set v1 (readable by v1 runtimes)
    assert (m["format"], m["formatVersion"], m["opsetVersion"]) == ("webgrad-bundle", 1, 1)
    assert m["producer"]["name"] == "webgrad" and m["producer"]["version"]
    assert report.bytes_float32 == sum(v.nbytes for v in g.constants.values()) == report.by_dtype["float32"]
    assert report.bytes_total == sum(f.stat().st_size for f in report.files)
    assert sorted(p.name for p in report.path.iterdir()) == sorted(f.name for f in report.files)


def test_model_json_is_canonical_and_valid_against_the_schema(tmp_path, bundle_graph):
    import jsonschema

    path = write_bundle(bundle_graph("cnn"), tmp_path / "b", metadata={"z": 1, "a": [1, 2]}).path
    text = (path / "model.json").read_text()
    doc = json.loads(text)
    assert text == render(doc)  # sorted keys, one-space indentation, trailing newline
    assert text.startswith('{\n "format": "webgrad-bundle",\n "formatVersion": 1,')
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(doc)
    # every attribute is written out, defaults included, so runtimes need no defaults table
    conv = doc["graph"]["nodes"][0]
    assert conv["attrs"]["strides"] == [1, 1] and conv["attrs"]["groups"] == 1


def test_tensors_in_first_use_order_aligned_with_zero_padding(tmp_path, bundle_graph):
    g = bundle_graph("mlp")
    g.constants["unused_b"] = np.ones(3, np.float32)
    g.constants["unused_a"] = np.ones(5, np.float32)
    path = write_bundle(g, tmp_path / "b").path
    m = json.loads((path / "model.json").read_text())
    tensors = m["weights"]["tensors"]
    assert [t["name"] for t in tensors] == ["dense_1/w", "dense_1/b", "dense_2/w", "dense_2/b", "unused_a",
                                            "unused_b"]
    data = (path / "weights-000.bin").read_bytes()
    end = 0
    for t in tensors:
        assert t["offset"] % 16 == 0 and t["offset"] >= end
        assert data[end:t["offset"]] == bytes(t["offset"] - end)  # zero padding
        end = t["offset"] + t["byteLength"]
    assert end == len(data)
    w = np.frombuffer(data, "<f4", count=20 * 16, offset=tensors[0]["offset"]).reshape(20, 16)
    np.testing.assert_array_equal(w, g.constants["dense_1/w"])


def test_small_shards_split_tensors_across_files(tmp_path, bundle_graph):
    g = bundle_graph("mlp")
    report = write_bundle(g, tmp_path / "b", shard_bytes=500)
    m = json.loads((report.path / "model.json").read_text())
    shards = m["weights"]["shards"]
    sizes = [(report.path / s["file"]).stat().st_size for s in shards]
    assert len(shards) > 3 and [s["file"] for s in shards] == [shard_name(i) for i in range(len(shards))]
    assert all(size == 500 for size in sizes[:-1]) and 0 < sizes[-1] <= 500
    assert sizes == [s["byteLength"] for s in shards]
    w1 = m["weights"]["tensors"][0]
    assert w1["byteLength"] > 500  # this tensor spans several shards
    b = read_bundle(report.path)
    for name, value in g.constants.items():
        np.testing.assert_array_equal(b.graph.constants[name], value)
    whole = write_bundle(g, tmp_path / "whole").path
    joined = b"".join((report.path / s["file"]).read_bytes() for s in shards)
    assert joined == (whole / "weights-000.bin").read_bytes()  # shards are chunks of one stream


def test_default_shards_are_at_most_4_mib(tmp_path):
    big = np.random.default_rng(0).standard_normal((1100, 1024)).astype(np.float32)  # 4.3 MiB
    g = Graph([TensorSpec("x", "float32", (None, 1100))], [TensorSpec("y", "float32", (None, 1024))],
              [Node("mm", "MatMul", ["x", "w"], ["y"])], {"w": big})
    report = write_bundle(g, tmp_path / "b")
    assert [f.name for f in report.files] == ["model.json", "weights-000.bin", "weights-001.bin"]
    assert report.files[1].stat().st_size == 4 * 1024 * 1024
    np.testing.assert_array_equal(read_bundle(report.path).graph.constants["w"], big)


def test_weightless_graph(tmp_path):
    g = Graph([TensorSpec("x", "float32", (None, 4))], [TensorSpec("y", "float32", (None, 4))],
              [Node("sm", "Softmax", ["x"], ["y"])], {})
    report = write_bundle(g, tmp_path / "b")
    assert [f.name for f in report.files] == ["model.json"]
    assert load_bundle(report.path).selftest() == 0.0


@pytest.mark.parametrize("quantize", [None, "float16", "int8"])
def test_writing_is_deterministic_across_processes(tmp_path, bundle_graph, quantize):
    kwargs = {"quantize": quantize, "metadata": {"labels": ["a", "b"]}, "shard_bytes": 256}
    conftest_path = str(Path(__file__).with_name("conftest.py"))
    script = textwrap.dedent(f"""
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("bundle_conftest", {conftest_path!r})
        conftest = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(conftest)
        from webgrad.exporter.bundle_writer import write_bundle
        write_bundle(conftest._bundle_graph("cnn"), sys.argv[1], **{kwargs!r})
    """)
    for out in ("one", "two"):
        r = subprocess.run([sys.executable, "-c", script, str(tmp_path / out)], capture_output=True, text=True,
                           timeout=120)
        assert r.returncode == 0, r.stderr
    write_bundle(bundle_graph("cnn"), tmp_path / "three", **kwargs)
    write_bundle(bundle_graph("cnn"), tmp_path / "three", **kwargs)  # rewriting in place changes nothing
    files = _entries(tmp_path / "one")
    assert len(files) > 2
    for d in ("two", "three"):
        assert _entries(tmp_path / d) == files
        for f in files:
            assert (tmp_path / d / f).read_bytes() == (tmp_path / "one" / f).read_bytes(), f


def _entries(directory):
    return sorted(p.name for p in directory.iterdir())


def test_failed_write_leaves_nothing_behind(tmp_path, bundle_graph, monkeypatch):
    calls = []

    def failing(path, data):
        calls.append(path.name)
        if len(calls) == 2:
            raise OSError("disk full")
        path.write_bytes(data)

    monkeypatch.setattr(bundle_writer, "_write_file", failing)
    with pytest.raises(OSError, match="disk full"):
        write_bundle(bundle_graph("mlp"), tmp_path / "b", shard_bytes=500)
    assert _entries(tmp_path) == []  # no bundle, no temporary directory


def test_failed_write_keeps_the_existing_bundle(tmp_path, bundle_graph, monkeypatch):
    old = write_bundle(bundle_graph("mlp", seed=1), tmp_path / "b")
    before = {f.name: f.read_bytes() for f in old.files}
    monkeypatch.setattr(bundle_writer, "_write_file", lambda path, data: (_ for _ in ()).throw(OSError("boom")))
    with pytest.raises(OSError, match="boom"):
        write_bundle(bundle_graph("mlp", seed=2), tmp_path / "b")
    assert _entries(tmp_path) == ["b"]
    assert {f.name: f.read_bytes() for f in (tmp_path / "b").iterdir()} == before


def test_rename_failure_restores_the_existing_bundle(tmp_path, bundle_graph, monkeypatch):
    write_bundle(bundle_graph("mlp", seed=1), tmp_path / "b")
    before = (tmp_path / "b" / "model.json").read_bytes()
    real_rename = atomic_write.os.rename

    def rename(src, dst):
        if ".tmp-" in str(src):
            raise OSError("rename failed")
        real_rename(src, dst)

    monkeypatch.setattr(atomic_write.os, "rename", rename)
    with pytest.raises(OSError, match="rename failed"):
        write_bundle(bundle_graph("mlp", seed=2), tmp_path / "b")
    assert _entries(tmp_path) == ["b"] and (tmp_path / "b" / "model.json").read_bytes() == before


def test_rewrite_replaces_a_bundle_but_not_other_directories(tmp_path, bundle_graph):
    write_bundle(bundle_graph("mlp"), tmp_path / "b", shard_bytes=500)
    report = write_bundle(bundle_graph("mlp", seed=5), tmp_path / "b")  # fewer shards now
    assert _entries(tmp_path) == ["b"] and _entries(tmp_path / "b") == ["model.json", "weights-000.bin"]
    np.testing.assert_array_equal(read_bundle(report.path).graph.constants["dense_2/b"],
                                  bundle_graph("mlp", seed=5).constants["dense_2/b"])
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not a webgrad bundle"):
        write_bundle(bundle_graph("mlp"), tmp_path / "notes")
    assert (tmp_path / "notes" / "keep.txt").read_text() == "mine"
    (tmp_path / "empty").mkdir()
    write_bundle(bundle_graph("mlp"), tmp_path / "empty")  # an empty directory may be filled


@pytest.mark.parametrize("quantize", [None, "float16", "int8"])
def test_selftest_is_the_reference_on_dequantized_weights(tmp_path, bundle_graph, quantize):
    g = bundle_graph("cnn")
    path = write_bundle(g, tmp_path / "b", quantize=quantize, selftest_batch=3).path
    b = read_bundle(path)
    test = b.manifest["selftest"]
    (x,) = test["inputs"]
    assert (x["name"], x["dtype"], x["shape"]) == ("image", "float32", [3, 8, 8, 1])
    data = np.frombuffer(base64.b64decode(x["data"]), "<f4").reshape(3, 8, 8, 1)
    np.testing.assert_array_equal(data, np.random.default_rng(0).random((3, 8, 8, 1), dtype=np.float32))
    (y,) = test["outputs"]
    want = np.frombuffer(base64.b64decode(y["data"]), "<f4").reshape(y["shape"])
    np.testing.assert_array_equal(want, b.graph.run({"image": data})[0])  # what a runtime computes
    if quantize is not None:
        assert not np.array_equal(want, g.run({"image": data})[0])  # not the float32 graph's output
    # tolerance: 10x the loosest op tolerance in the graph (MatMul/Conv2D: rtol 1e-4, atol 1e-5)
    assert test["tolerance"] == {"rtol": pytest.approx(1e-3), "atol": pytest.approx(1e-4)}
    assert load_bundle(path).selftest() == 0.0


def test_metadata_is_stored_with_numpy_values_converted(tmp_path, bundle_graph):
    meta = {"labels": ["a", "b", "c", "d", "e"], "metrics": {"accuracy": np.float32(0.75), "n": np.int64(3)},
            "preprocessing": {"scale": 1 / 255, "mean": np.array([0.5], np.float32)}, "task": "classification"}
    r = load_bundle(write_bundle(bundle_graph("mlp"), tmp_path / "b", metadata=meta).path)
    assert r.labels == meta["labels"] and r.metadata["task"] == "classification"
    assert r.metadata["metrics"] == {"accuracy": 0.75, "n": 3} and r.metadata["preprocessing"]["mean"] == [0.5]
    assert r.bundle.manifest["producer"]["name"] == "webgrad"
    producer = {"name": "my-exporter", "version": "1.2", "git": "abc"}
    r = load_bundle(write_bundle(bundle_graph("mlp"), tmp_path / "b", producer=producer).path)
    assert r.bundle.manifest["producer"] == producer
    with pytest.raises(ValueError, match=r"metadata\.metrics\.loss is nan"):
        write_bundle(bundle_graph("mlp"), tmp_path / "c", metadata={"metrics": {"loss": float("nan")}})
    with pytest.raises(ValueError, match=r"metadata\.when is a datetime, which JSON cannot store"):
        write_bundle(bundle_graph("mlp"), tmp_path / "c", metadata={"when": datetime.datetime(2020, 1, 1)})
    assert not (tmp_path / "c").exists()


def test_writer_refuses_graphs_it_cannot_store(tmp_path, bundle_graph):
    def write(mutate):
        g = bundle_graph("mlp")
        mutate(g)
        write_bundle(g, tmp_path / "b")

    with pytest.raises(ValueError, match=r"weight 'dense_1/w' has NaN or Inf"):
        write(lambda g: g.constants["dense_1/w"].__setitem__((0, 0), np.inf))
    with pytest.raises(ValueError, match=r"weight 'dense_2/b' is float64"):
        write(lambda g: g.constants.__setitem__("dense_2/b", np.zeros(5)))
    with pytest.raises(ValueError, match=r"unknown op 'Frobnicate' in node 'softmax'"):
        write(lambda g: setattr(g.nodes[2], "op", "Frobnicate"))
    with pytest.raises(ValueError, match=r"node 'softmax': Softmax has no attribute\(s\) \['axes'\]"):
        write(lambda g: g.nodes[2].attrs.update(axes=[1]))
    with pytest.raises(GraphError, match="reads undefined tensor 'nope'"):
        write(lambda g: g.nodes[1].inputs.__setitem__(0, "nope"))
    with pytest.raises(BundleError, match=r"node 'dense_2' \(MatMul\).*inner dims"):
        write(lambda g: g.constants.__setitem__("dense_2/w", np.zeros((15, 5), np.float32)))
    with pytest.raises(ValueError, match="unknown quantize 'int4'"):
        write_bundle(bundle_graph("mlp"), tmp_path / "b", quantize="int4")
    with pytest.raises(ValueError, match="shard_bytes must be a positive int"):
        write_bundle(bundle_graph("mlp"), tmp_path / "b", shard_bytes=0)
    with pytest.raises(BundleError, match=r"model\.json to write: schema violation at \$\.producer\.version"):
        write_bundle(bundle_graph("mlp"), tmp_path / "b", producer={"version": 2})
    assert not (tmp_path / "b").exists()


def _two_input_graph():
    """ids (int32) -> embedding Gather; features (float32); concatenated -> two outputs."""
    rng = np.random.default_rng(0)
    consts = {"table": rng.standard_normal((6, 3)).astype(np.float32),
              "w": rng.standard_normal((5, 2)).astype(np.float32)}
    nodes = [Node("embed", "Gather", ["table", "ids"], ["e"]),
             Node("concat", "Concat", ["e", "features"], ["h"]),
             Node("dense", "MatMul", ["h", "w"], ["logits"]),
             Node("probs", "Softmax", ["logits"], ["p"]),
             Node("argmax", "ArgMax", ["logits"], ["cls"])]
    return Graph([TensorSpec("ids", "int32", (None,)), TensorSpec("features", "float32", (None, 2))],
                 [TensorSpec("p", "float32", (None, 2)), TensorSpec("cls", "int32", (None,))], nodes, consts)


def test_int32_inputs_several_outputs_and_the_runner(tmp_path):
    g = _two_input_graph()
    r = load_bundle(write_bundle(g, tmp_path / "b", quantize="int8").path)
    ids_test = r.bundle.manifest["selftest"]["inputs"][0]
    assert ids_test["dtype"] == "int32" and set(np.frombuffer(base64.b64decode(ids_test["data"]), "<i4")) <= {0, 1}
    assert r.selftest() == 0.0
    ids, feats = np.array([0, 5, 2, 1]), np.random.default_rng(1).random((4, 2))  # int64 and float64: cast
    p, cls = r.predict([ids, feats])
    assert p.dtype == np.float32 and cls.dtype == np.int32 and p.shape == (4, 2)
    np.testing.assert_array_equal(cls, np.argmax(p, axis=1))
    by_name = r.predict({"features": feats, "ids": ids}, batch_size=3)
    np.testing.assert_allclose(by_name[0], p, rtol=1e-6)
    np.testing.assert_array_equal(by_name[1], cls)
    with pytest.raises(ValueError, match=r"takes 2 inputs \['ids', 'features'\]"):
        r.predict(ids)
    with pytest.raises(ValueError, match=r"missing \['features'\]"):
        r.predict({"ids": ids})
    with pytest.raises(TypeError, match=r"input 'ids' must hold integers \(int32\), got float64"):
        r.predict([ids.astype(float), feats])
    with pytest.raises(ValueError, match=r"input 'features' expects shape \(None, 2\) \(None = any\), got an array "
                                         r"of shape \(4, 3\)"):
        r.predict([ids, np.zeros((4, 3))])
    with pytest.raises(ValueError, match="same number of examples"):
        r.predict([ids, feats[:3]], batch_size=2)
    assert r.bundle.manifest["weights"]["tensors"][0]["quantization"]["scheme"] == "int8_symmetric"


def test_runner_predict_checks_and_batches(tmp_path, bundle_graph):
    g = bundle_graph("cnn")
    r = load_bundle(write_bundle(g, tmp_path / "b").path)
    x = np.random.default_rng(0).random((10, 8, 8, 1))
    full = r.predict(x)
    np.testing.assert_array_equal(full, g.run({"image": x.astype(np.float32)})[0])
    np.testing.assert_allclose(r.predict(x, batch_size=4), full, rtol=1e-6, atol=1e-7)
    assert r.predict(x[:0], batch_size=4).shape == (0, 5)
    with pytest.raises(ValueError, match=r"input 'image' expects shape \(None, 8, 8, 1\)"):
        r.predict(np.zeros((2, 8, 8)))
    with pytest.raises(TypeError, match="must be a numeric array"):
        r.predict(np.full((1, 8, 8, 1), "a"))
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        r.predict(x, batch_size=0)
    info = r.inspect()
    assert info["ops"] == {"Conv2D": 1, "Flatten": 1, "MatMul": 1, "MaxPool2D": 1, "Softmax": 1}
    assert info["parameters"] == 3 * 3 * 4 + 4 + 64 * 5 + 5 and info["bytes_by_dtype"] == {"float32": 4 * 365}
    assert info["quantization"] == {"none": 4} and info["labels"] is None


def test_exporter_package_exports_lazily():
    r = subprocess.run([sys.executable, "-c", "import sys, webgrad.exporter as e; a = 'jsonschema' in sys.modules; "
                        "print(a, e.write_bundle.__module__, e.load_bundle.__module__, e.BundleError.__name__)"],
                       capture_output=True, text=True, timeout=60)
    assert r.stdout.split() == ["False", "webgrad.exporter.bundle_writer", "webgrad.exporter.runner", "BundleError"]
