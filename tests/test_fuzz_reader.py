"""Property tests of the Python bundle reader (issue 12, fuzzing): random structured mutations of a
valid model.json, of its text and of the shard bytes (tests/fuzz/mutations.py) give a valid bundle or
a BundleError with a known code, nothing else. Bounded to a few hundred cases here (derandomized when
CI is set); ``python3 tests/fuzz/py_reader.py --minutes N`` runs the same mutations for longer."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from webgrad.exporter.bundle_writer import write_bundle
from webgrad.exporter.graph import Graph, Node, TensorSpec

sys.path.insert(0, str(Path(__file__).parent / "fuzz"))
from harness import outcome, read_files
from mutations import mutate

# ~15 s together on a laptop-class core; WEBGRAD_FUZZ_EXAMPLES scales both tests.
EXAMPLES = int(os.environ.get("WEBGRAD_FUZZ_EXAMPLES", "4000"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=bool(os.environ.get("CI")),
                    suppress_health_check=list(HealthCheck), database=None)
BYTES_SETTINGS = settings(SETTINGS, max_examples=max(1, EXAMPLES // 5))


def small_graph() -> Graph:
    """x [None, 4] -> MatMul (+bias, relu) -> LayerNorm -> Softmax: every check of the reader has work."""
    rng = np.random.default_rng(0)
    return Graph([TensorSpec("x", "float32", (None, 4))], [TensorSpec("p", "float32", (None, 3))],
                 [Node("dense", "MatMul", ["x", "w", "b"], ["h"], {"activation": "relu"}),
                  Node("norm", "LayerNorm", ["h", "g", "beta"], ["n"]),
                  Node("softmax", "Softmax", ["n"], ["p"])],
                 {"w": rng.normal(size=(4, 3)).astype(np.float32), "b": np.zeros(3, np.float32),
                  "g": np.ones(3, np.float32), "beta": np.zeros(3, np.float32)})


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    out = tmp_path_factory.mktemp("fuzz-bases")
    return {q or "float32": read_files(write_bundle(small_graph(), out / (q or "float32"), quantize=q, shard_bytes=32,
                                                    metadata={"preprocessing": {"scale": 0.5}}).path)
            for q in (None, "int8")}


def test_bases_are_valid(bases):
    assert all(outcome(files) == "valid" for files in bases.values())


@SETTINGS
@given(rng=st.randoms(use_true_random=False), which=st.sampled_from(["float32", "int8"]))
def test_mutated_bundles_are_valid_or_a_typed_error(bases, rng, which):
    files, _ = mutate(rng, bases[which])
    outcome(files)  # raises on anything but a Bundle or a BundleError with a known code


@BYTES_SETTINGS
@given(doc_bytes=st.binary(max_size=300))
@example(doc_bytes=b"[" * 5000 + b"]" * 5000)  # deep nesting: RecursionError before
@example(doc_bytes=b'{"format": "webgrad-bundle", "formatVersion": 1e400}')
@example(doc_bytes=b"\xef\xbb\xbf{}")
def test_arbitrary_model_json_bytes(doc_bytes):
    assert outcome({"model.json": doc_bytes}) in {"EJSON", "EFORMAT", "ESCHEMA", "EVERSION"}
