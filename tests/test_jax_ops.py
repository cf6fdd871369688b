"""Every op's JAX lowering against the shared test vectors (tests/vectors/<Op>.json, made by the numpy
reference), within the op's tolerance and with its NaN/Inf rules; and the one-file-per-op layout."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from compare import assert_close

from webgrad.exporter import vectors
from webgrad.exporter.opset import op_names

jax = pytest.importorskip("jax")
jnp = jax.numpy
from webgrad.backends import jax_ops  # noqa: E402

VECTORS = Path(__file__).parent / "vectors"
PKG = Path(__file__).parent.parent / "authoring"


def test_every_op_has_a_lowering_in_a_file_named_like_its_numpy_reference():
    assert sorted(jax_ops.LOWERINGS) == sorted(op_names())
    numpy_files = {p.name for p in (PKG / "raw_ops").glob("[a-z]*.py")} - {"registry.py"}
    jax_files = {p.name for p in (PKG / "backends" / "jax_ops").glob("[a-z]*.py")}
    assert jax_files == numpy_files


@pytest.mark.parametrize("op", op_names())
def test_lowering_reproduces_every_vector_within_tolerance(op):
    doc = json.loads((VECTORS / f"{op}.json").read_text())
    lower = jax_ops.lowering(op)
    for c in doc["cases"]:
        inputs = [None if t is None else jnp.asarray(vectors.decode(t)) for t in c["inputs"]]
        got = np.asarray(lower(inputs, c["attrs"]))
        want = vectors.decode(c["expected"][0])
        assert_close(got, want, c["tolerance"]["rtol"], c["tolerance"]["atol"], f"{op}/{c['name']}")


@pytest.mark.parametrize("op", [op for op in op_names() if vectors.op_rejects(op)])
def test_lowering_refuses_every_reject_with_the_references_shape_error(op):
    from webgrad.raw_ops.registry import ShapeError

    doc = json.loads((VECTORS / f"{op}.json").read_text())
    assert doc["rejects"], f"{op}.json has no rejects"
    for r in doc["rejects"]:
        inputs = [None if t is None else jnp.asarray(vectors.decode(t)) for t in r["inputs"]]
        with pytest.raises(ShapeError, match=f"{op}: "):
            jax_ops.lowering(op)(inputs, r["attrs"])


def test_missing_lowering_names_the_op(monkeypatch):
    monkeypatch.delitem(jax_ops.LOWERINGS, "Gelu")
    with pytest.raises(jax_ops.MissingLoweringError, match="op Gelu has no JAX lowering"):
        jax_ops.lowering("Gelu")
