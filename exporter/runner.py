"""Runs a bundle in Python on the numpy reference: ``load_bundle(path).predict(x)``.

>>> import tempfile, numpy as np
>>> from webgrad.exporter.graph import Graph, Node, TensorSpec
>>> from webgrad.exporter.bundle_writer import write_bundle
>>> g = Graph([TensorSpec("x", "float32", (None, 2))], [TensorSpec("p", "float32", (None, 2))],
...           [Node("dense", "MatMul", ["x", "w"], ["logits"]), Node("softmax", "Softmax", ["logits"], ["p"])],
...           {"w": np.eye(2, dtype=np.float32)})
>>> tmp = tempfile.TemporaryDirectory()
>>> path = write_bundle(g, tmp.name + "/b", metadata={"labels": ["cat", "dog"]}).path
>>> runner = load_bundle(path)
>>> runner.predict([[0.0, 0.0]]), runner.labels, runner.selftest()
(array([[0.5, 0.5]], dtype=float32), ['cat', 'dog'], 0.0)
>>> tmp.cleanup()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from webgrad.exporter.bundle_reader import (
    MAX_ARENA_BYTES,
    MAX_BYTES,
    MAX_MODEL_JSON_BYTES,
    Bundle,
    BundleError,
    read_bundle,
    weight_stats,
)
from webgrad.exporter.bundle_shapes import check_arena, planned_bytes
from webgrad.exporter.tensor_codec import decode
from webgrad.text.strings import as_texts


def load_bundle(path: str | Path, *, max_bytes: float = MAX_BYTES, max_model_json_bytes: float = MAX_MODEL_JSON_BYTES,
                max_arena_bytes: float = MAX_ARENA_BYTES) -> BundleRunner:
    """Reads and validates the bundle at ``path`` (limits as in ``read_bundle``; ``max_arena_bytes`` also
    bounds every ``predict``); returns a runner for it."""
    return BundleRunner(read_bundle(path, max_bytes=max_bytes, max_model_json_bytes=max_model_json_bytes,
                                    max_arena_bytes=max_arena_bytes))


class BundleRunner:
    """A bundle ready to run: ``predict``, ``selftest``, ``inspect``; ``signature``, ``labels``, ``metadata``."""

    def __init__(self, bundle: Bundle):
        self.bundle = bundle

    @property
    def path(self) -> Path:
        """The bundle directory."""
        return self.bundle.path

    @property
    def signature(self) -> dict[str, Any]:
        """``{"inputs": [{name, dtype, shape}], "outputs": [...]}``; ``None`` in a shape is dynamic."""
        return self.bundle.signature

    @property
    def metadata(self) -> dict[str, Any]:
        """The bundle's metadata dict."""
        return self.bundle.metadata

    @property
    def labels(self) -> list[Any] | None:
        """Class names from ``metadata["labels"]`` (index = class id), or None."""
        return self.metadata.get("labels")

    def _inputs(self, x: Any) -> list[np.ndarray]:
        """The inputs as arrays in signature order, checked and cast to the signature dtypes."""
        specs = self.signature["inputs"]
        names = [s["name"] for s in specs]
        if isinstance(x, Mapping):
            if set(x) != set(names):
                raise ValueError(f"the bundle's inputs are {names}; got {sorted(x)} "
                                 f"(missing {sorted(set(names) - set(x))}, unknown {sorted(set(x) - set(names))})")
            xs = [x[n] for n in names]
        elif len(specs) > 1:
            if not isinstance(x, Sequence) or len(x) != len(specs):
                got = f"{len(x)} arrays" if isinstance(x, Sequence) else type(x).__name__
                raise ValueError(f"the bundle takes {len(specs)} inputs {names} (a list in that order or a dict); "
                                 f"got {got}")
            xs = list(x)
        else:
            xs = [x]
        return [_check_input(self._ids(a, s), s) for a, s in zip(xs, specs, strict=True)]

    @property
    def tokenizer(self) -> Any:
        """The tokenizer of a text bundle (``webgrad.text.Tokenizer``), else None."""
        return self.bundle.tokenizer

    def _ids(self, a: Any, spec: dict[str, Any]) -> Any:
        """Texts for the tokenizer's input as its ids; anything else as it is."""
        tok = self.tokenizer
        if tok is None or spec["name"] != self.bundle.manifest["tokenizer"]["input"]:
            return a
        if isinstance(a, list | tuple | np.ndarray) and len(a) == 0:
            raise ValueError(f"input {spec['name']!r}: an empty batch; give one text or more")
        texts = as_texts(a, f"input {spec['name']!r}")
        return a if texts is None else tok(texts)

    def tokenize(self, texts: Any) -> np.ndarray:
        """The ids the bundle's tokenizer gives ``texts`` (int32 ``[n, sequenceLength]``); a bundle
        without a tokenizer raises ValueError."""
        if self.tokenizer is None:
            raise ValueError(f"{self.path}: the bundle has no tokenizer (it takes numbers, not texts)")
        found = as_texts(texts, "texts")
        if found is None:
            raise TypeError(f"tokenize takes texts (a str or a list/array of str), got {type(texts).__name__}")
        return self.tokenizer(found)

    def predict(self, x: Any, batch_size: int | None = None) -> np.ndarray | list[np.ndarray]:
        """Runs the model on ``x`` (an array; or a list in signature order / a dict by name when there are
        several inputs), in batches of ``batch_size`` examples along axis 0 when given (when not, in the
        largest batches that fit ``max_arena_bytes`` if the whole input would not). Returns one array, or
        a list when the bundle has several outputs."""
        xs = self._inputs(x)
        names = [s["name"] for s in self.signature["inputs"]]
        most = None if batch_size is None or isinstance(batch_size, bool) or not isinstance(batch_size, int) \
            else max(batch_size, 1)
        shapes = {k: (min(a.shape[0], most), *a.shape[1:]) if most and a.ndim else a.shape
                  for k, a in zip(names, xs, strict=True)}
        if batch_size is None:
            batch_size = self._batch_that_fits(names, xs, shapes)
        else:
            check_arena(self.bundle.graph, shapes, self.bundle.limits.max_arena_bytes, str(self.path), "these inputs")
        if batch_size is None:
            outs = self.bundle.graph.run(dict(zip(names, xs, strict=True)))
        else:
            if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
                raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
            counts = {a.shape[0] if a.ndim else None for a in xs}
            if len(counts) != 1 or None in counts:
                raise ValueError(f"batching needs every input to have the same number of examples along axis 0; "
                                 f"got shapes {[a.shape for a in xs]}")
            n = counts.pop()
            parts = [self.bundle.graph.run({k: a[i:i + batch_size] for k, a in zip(names, xs, strict=True)})
                     for i in range(0, n, batch_size)] or [self.bundle.graph.run(dict(zip(names, xs, strict=True)))]
            outs = [np.concatenate(o, axis=0) for o in zip(*parts, strict=True)]
        return outs[0] if len(outs) == 1 else list(outs)

    def _batch_that_fits(self, names: list[str], xs: list[np.ndarray], shapes: dict[str, Any]) -> int | None:
        """None when the whole input fits ``max_arena_bytes`` at once; else the largest batch that does
        (memory grows with the batch), so a large ``predict`` runs in pieces instead of failing. ELIMIT
        when not even one example fits, or the inputs cannot be split along axis 0."""
        limit, where = self.bundle.limits.max_arena_bytes, str(self.path)
        if planned_bytes(self.bundle.graph, shapes, where) <= limit:
            return None
        counts = {a.shape[0] if a.ndim else None for a in xs}
        if len(counts) != 1 or None in counts:
            check_arena(self.bundle.graph, shapes, limit, where, "these inputs")  # raises ELIMIT
        one = {k: (1, *a.shape[1:]) for k, a in zip(names, xs, strict=True)}
        check_arena(self.bundle.graph, one, limit, where, "one example of these inputs")
        return max(1, int(limit // planned_bytes(self.bundle.graph, one, where)))

    def selftest(self) -> float:
        """Runs the bundle's self-test; returns the max absolute error, raises BundleError over tolerance."""
        test = self.bundle.manifest["selftest"]
        feeds = {t["name"]: decode(t) for t in test["inputs"]}
        try:
            got = self.bundle.graph.run(feeds)
        except IndexError as e:  # a Gather index out of range (the shape rules cannot see values)
            raise BundleError("EINDEX", f"{self.path}: selftest: {e}") from e
        except (ValueError, TypeError, ArithmeticError) as e:
            raise BundleError("ESELFTEST", f"{self.path}: selftest could not run: {e}") from e
        rtol, atol = test["tolerance"]["rtol"], test["tolerance"]["atol"]
        worst = 0.0
        for t, g in zip(test["outputs"], got, strict=True):
            want = decode(t).astype(np.float64)
            g = np.asarray(g, np.float64)
            if g.shape != want.shape:
                raise BundleError("ESELFTEST", f"{self.path}: selftest output {t['name']!r} has shape {g.shape}, "
                                               f"expected {want.shape}")
            with np.errstate(invalid="ignore"):
                err = np.where(np.isnan(want) & np.isnan(g), 0.0, np.abs(g - want))
                err = np.where(np.isnan(err), np.inf, err)
                over = err > atol + rtol * np.abs(want)
            if over.any():
                i = tuple(int(k) for k in np.argwhere(over)[0])
                raise BundleError("ESELFTEST", f"{self.path}: selftest failed: output {t['name']!r} at index {i} "
                                               f"is {g[i]}, expected {want[i]} (|error| <= {atol} + {rtol} * "
                                               f"|expected| allowed; {int(over.sum())} elements over)")
            worst = max(worst, float(err.max(initial=0.0)))
        return worst

    def inspect(self) -> dict[str, Any]:
        """A summary: versions, producer, signature, op counts, parameters, bytes per stored dtype,
        quantization, labels and metadata keys."""
        m = self.bundle.manifest
        ops: dict[str, int] = {}
        for n in m["graph"]["nodes"]:
            ops[n["op"]] = ops.get(n["op"], 0) + 1
        stats = weight_stats(m["weights"]["tensors"])
        return {
            "path": str(self.path),
            "format": m["format"],
            "formatVersion": m["formatVersion"],
            "opsetVersion": m["opsetVersion"],
            "producer": m["producer"],
            "signature": m["signature"],
            "nodes": len(m["graph"]["nodes"]),
            "ops": dict(sorted(ops.items())),
            "parameters": stats["parameters"],
            "tensors": len(m["weights"]["tensors"]),
            "shards": len(m["weights"]["shards"]),
            "bytes_weights": sum(s["byteLength"] for s in m["weights"]["shards"]),
            "bytes_by_dtype": stats["by_dtype"],
            "bytes_float32": stats["bytes_float32"],
            "quantization": stats["quantization"],
            "labels": self.labels,
            "metadata_keys": sorted(self.metadata),
            "selftest_tolerance": m["selftest"]["tolerance"],
            "tokenizer": None if self.tokenizer is None else {
                **{k: m["tokenizer"][k] for k in ("file", "input", "sequenceLength", "model", "padId", "unkId",
                                                   "byteLength")},
                "vocabSize": self.tokenizer.vocab_size,
                "normalizer": _component(self.tokenizer.normalizer),
                "preTokenizer": _component(self.tokenizer.pre_tokenizer),
            },
        }


def _component(c: Any) -> str | None:
    """A normalizer or pre-tokenizer as its type names, e.g. ``Sequence[Lowercase, Replace]``."""
    if c is None:
        return None
    parts = getattr(c, "normalizers", None) or getattr(c, "pretokenizers", None)
    return f"Sequence[{', '.join(_component(p) or '' for p in parts)}]" if parts else type(c).__name__


def _check_input(a: Any, spec: dict[str, Any]) -> np.ndarray:
    """``a`` as an array of the spec's dtype, or a ValueError/TypeError saying what was expected."""
    arr = np.asarray(a)
    name, dtype, want = spec["name"], np.dtype(spec["dtype"]), tuple(spec["shape"])
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"input {name!r} must be a numeric array ({dtype}), got dtype {arr.dtype}")
    if dtype.kind in "iu" and arr.dtype.kind == "f":
        raise TypeError(f"input {name!r} must hold integers ({dtype}), got {arr.dtype}; cast it explicitly")
    if arr.ndim != len(want) or any(w is not None and w != g for w, g in zip(want, arr.shape, strict=True)):
        shown = "(" + ", ".join("None" if d is None else str(d) for d in want) + ("," if len(want) == 1 else "") + ")"
        raise ValueError(f"input {name!r} expects shape {shown} (None = any), got an array of shape {arr.shape}")
    if dtype.kind in "iu" and arr.size and arr.dtype != dtype:
        info = np.iinfo(dtype)
        if arr.min() < info.min or arr.max() > info.max:
            raise ValueError(f"input {name!r} ({dtype}) has values outside [{info.min}, {info.max}]")
    return arr.astype(dtype, copy=False)
