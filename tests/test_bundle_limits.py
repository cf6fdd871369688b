"""Resource limits of the Python reader (max_bytes, max_model_json_bytes, max_arena_bytes), files that
are not regular, and graphs of 100,000 nodes: every breach is a BundleError ELIMIT/EFETCH before the
bytes are read or the memory allocated (issue 12, items 2, 6, 7 and 8)."""

from __future__ import annotations

import json
import os
import sys
import threading
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from webgrad.exporter import BundleError, load_bundle, read_bundle
from webgrad.exporter.bundle_shapes import planned_bytes
from webgrad.exporter.bundle_writer import write_bundle
from webgrad.exporter.graph import Graph, Node, TensorSpec

sys.path.insert(0, str(Path(__file__).parent / "fuzz"))
from synthetic import relu_chain_bundle


@pytest.fixture
def bundle(tmp_path, bundle_graph):
    return write_bundle(bundle_graph("mlp"), tmp_path / "mlp").path


def _code(call, *args, **kwargs) -> BundleError:
    with pytest.raises(BundleError) as info:
        call(*args, **kwargs)
    return info.value


def test_max_model_json_bytes_is_checked_before_reading(bundle):
    size = (bundle / "model.json").stat().st_size
    err = _code(read_bundle, bundle, max_model_json_bytes=size - 1)
    assert err.code == "ELIMIT" and "max_model_json_bytes" in str(err) and str(size) in str(err)
    read_bundle(bundle, max_model_json_bytes=size)


def test_max_bytes_is_checked_from_the_declared_sizes(bundle):
    declared = sum(s["byteLength"] for s in json.loads((bundle / "model.json").read_text())["weights"]["shards"])
    for shard in bundle.glob("weights-*.bin"):
        shard.unlink()  # never opened: the declared total alone is over the limit
    err = _code(read_bundle, bundle, max_bytes=declared - 1)
    assert err.code == "ELIMIT" and f"declare {declared} bytes" in str(err) and "max_bytes" in str(err)


def test_a_long_shard_is_not_read_past_its_declared_size(bundle):
    shard = bundle / "weights-000.bin"
    with shard.open("r+b") as f:
        f.truncate(64 << 20)  # sparse: 64 MiB the old reader read into memory before comparing sizes
    tracemalloc.start()
    try:
        err = _code(read_bundle, bundle)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert err.code == "ESHARD_SIZE" and "shard too long" in str(err)
    assert peak < 8 << 20, f"{peak} bytes allocated to refuse a shard"


@pytest.mark.parametrize("name", ["model.json", "weights-000.bin"])
def test_a_fifo_is_refused_not_waited_on(bundle, name):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    (bundle / name).unlink()
    os.mkfifo(bundle / name)
    outcome: list = []
    reader = threading.Thread(target=lambda: outcome.append(_code(read_bundle, bundle)), daemon=True)
    reader.start()
    reader.join(60)
    if reader.is_alive():  # unblock the reader so the test process can exit
        fd = os.open(bundle / name, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        pytest.fail(f"read_bundle blocked on a FIFO named {name}")
    assert outcome[0].code == "EFETCH" and "not a regular file" in str(outcome[0])


def test_a_directory_named_like_a_bundle_file(bundle):
    (bundle / "weights-000.bin").unlink()
    (bundle / "weights-000.bin").mkdir()
    err = _code(read_bundle, bundle)
    assert err.code == "EFETCH" and "is a directory" in str(err)


@pytest.mark.parametrize("bad", [0, -1, "1", True, None, float("nan")])
def test_limits_must_be_positive_numbers(bundle, bad):
    assert _code(read_bundle, bundle, max_bytes=bad).code == "EARG"


def _outer_sum_bundle(tmp_path) -> Path:
    """y = a + b for a [None, 1] and b [1, None]: tiny, yet a [n, n] result for inputs of n values."""
    g = Graph([TensorSpec("a", "float32", (None, 1)), TensorSpec("b", "float32", (1, None))],
              [TensorSpec("y", "float32", (None, None))], [Node("add", "Add", ["a", "b"], ["y"])], {})
    return write_bundle(g, tmp_path / "outer").path


def test_arena_limit_at_load(tmp_path):
    path = _outer_sum_bundle(tmp_path)
    err = _code(load_bundle, path, max_arena_bytes=10)
    assert err.code == "ELIMIT" and "max_arena_bytes (10 bytes)" in str(err) and "self-test input" in str(err)


def test_arena_limit_at_predict_is_checked_before_allocating(tmp_path):
    runner = load_bundle(_outer_sum_bundle(tmp_path))
    n = 1 << 15  # a [32768, 32768] float32 sum: 4 GiB, over the default 1 GiB
    a, b = np.zeros((n, 1), np.float32), np.zeros((1, n), np.float32)
    err = _code(runner.predict, [a, b])
    assert err.code == "ELIMIT" and "max_arena_bytes" in str(err) and "these inputs" in str(err)
    assert runner.predict([a[:3], b[:, :2]]).shape == (3, 2)
    small = load_bundle(runner.path, max_arena_bytes=1000)
    assert _code(small.predict, [a[:20], b[:, :20]]).code == "ELIMIT"


def test_a_100000_node_graph_loads(tmp_path):
    runner = load_bundle(relu_chain_bundle(tmp_path / "chain", 100_000))
    assert len(runner.bundle.graph.nodes) == 100_000
    assert runner.selftest() == 0.0


def test_a_large_predict_runs_in_batches_that_fit_the_arena_limit(tmp_path, bundle_graph):
    path = write_bundle(bundle_graph("mlp"), tmp_path / "mlp").path
    x = np.random.default_rng(0).normal(size=(500, 20)).astype(np.float32)
    whole = load_bundle(path).predict(x)
    name = load_bundle(path).signature["inputs"][0]["name"]
    one = planned_bytes(load_bundle(path).bundle.graph, {name: (1, 20)}, "mlp")
    tight = load_bundle(path, max_arena_bytes=one * 7)  # the whole batch needs far more: 7 examples at a time
    np.testing.assert_allclose(tight.predict(x), whole, rtol=1e-5, atol=1e-6)  # BLAS blocking differs by batch
    err = _code(load_bundle(path, max_arena_bytes=one * 7).predict, x, 500)  # an explicit batch is not split
    assert err.code == "ELIMIT"
