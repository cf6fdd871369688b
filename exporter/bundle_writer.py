"""Writes a ``Graph`` as a web bundle (format v1, or v2 with a ``training`` section: see ``model.schema.json``).

The bundle is a directory with ``model.json`` and the weight shards ``weights-000.bin``, ... The
weights are laid out as one little-endian byte stream, in order of first use by the graph's nodes
(then unused ones by name), each at an offset that is a multiple of 16 (zero padding between); the
stream is cut into shards of ``shard_bytes`` (the last one shorter), so a big tensor may continue
into the next shard. Offsets in model.json are into the whole stream.

The output is deterministic (sorted JSON keys, one-space indentation, no timestamps, a self-test from
a fixed seed): the same graph gives byte-identical files. Writing is crash-safe and never deletes
what it did not write (``atomic_write``): the files are written into the directory, an existing bundle
there is replaced file by file with ``model.json`` as the commit point, so the path holds a complete
bundle (old or new) at every instant; other files in the directory stay; a non-empty directory that is
not a bundle is refused unless ``overwrite=True``; on a failure the export's own files are removed.

>>> import tempfile, numpy as np
>>> from webgrad.exporter.graph import Graph, Node, TensorSpec
>>> g = Graph([TensorSpec("x", "float32", (None, 3))], [TensorSpec("y", "float32", (None, 2))],
...           [Node("dense", "MatMul", ["x", "w"], ["y"])], {"w": np.ones((3, 2), np.float32)})
>>> tmp = tempfile.TemporaryDirectory()
>>> report = write_bundle(g, tmp.name + "/bundle")
>>> [f.name for f in report.files], report.bytes_float32, report.by_dtype
(['model.json', 'weights-000.bin'], 24, {'float32': 24})
>>> tmp.cleanup()
"""

from __future__ import annotations

import copy
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from webgrad.exporter.atomic_write import ExportTargetError, replace_bundle, write_durably
from webgrad.exporter.bundle_reader import (
    ALIGN,
    FORMAT,
    MODEL_FILE,
    check_schema,
    check_shapes,
    webgrad_version,
    weight_stats,
)
from webgrad.exporter.bundle_tokenizer import TOKENIZER_FILE, check_section, tokenizer_section
from webgrad.exporter.bundle_training import check_training
from webgrad.exporter.graph import Graph, Node
from webgrad.exporter.opset import OpAttributeError, bundle_opset_version, normalize_attrs, op_names, op_spec
from webgrad.exporter.quantize import SCHEMES, dequantize_tensor, quantize_tensor
from webgrad.exporter.tensor_codec import encode, render

DEFAULT_SHARD_BYTES = 4 * 1024 * 1024
TOLERANCE_FACTOR = 10  # self-test tolerance = this x the largest op-set tolerance among the graph's ops


@dataclass
class WriteReport:
    """What ``write_bundle`` wrote: the files, their total size, and the weights' stored bytes per dtype
    against what they would take as float32."""

    path: Path
    files: list[Path]
    bytes_total: int
    bytes_float32: int
    by_dtype: dict[str, int]

    def __str__(self) -> str:
        stored = sum(self.by_dtype.values())
        return (f"wrote {self.path}: {len(self.files)} files, {self.bytes_total:,} bytes; weights {stored:,} bytes "
                f"({', '.join(f'{k} {v:,}' for k, v in self.by_dtype.items()) or 'none'}; "
                f"float32 would take {self.bytes_float32:,})")


def write_bundle(
    graph: Graph,
    path: str | Path,
    *,
    quantize: str | None = None,
    metadata: dict[str, Any] | None = None,
    producer: dict[str, Any] | None = None,
    shard_bytes: int = DEFAULT_SHARD_BYTES,
    selftest_batch: int = 2,
    overwrite: bool = False,
    training: dict[str, Any] | None = None,
    tokenizer: tuple[str, Any] | None = None,
) -> WriteReport:
    """Writes ``graph`` as a bundle directory at ``path``; a bundle already there is replaced (its
    ``model.json`` and listed shards only: other files stay).

    ``quantize``: None (float32), ``"float16"`` or ``"int8"`` (rules in ``webgrad.exporter.quantize``);
    ``metadata``: a JSON-serializable dict stored as is (labels, preprocessing, task, metrics);
    ``producer``: overrides/extends ``{"name": "webgrad", "version": <installed version>}``;
    ``selftest_batch``: the size given to dynamic dims in the self-test input; ``overwrite``: also write
    into a non-empty directory that is not a bundle (replacing same-named files, deleting none); without
    it such a directory raises ``ExportTargetError`` and is left untouched. ``training``: the
    ``training`` section of a trainable bundle (``webgrad.exporter.trainable``), whose tensors are among
    ``graph.constants``; the bundle is then ``formatVersion`` 2 (else 1) and its weights must be float32.
    ``tokenizer``: ``(input name, webgrad.text.Tokenizer)`` of a text bundle: ``tokenizer.json`` is
    written next to model.json and listed in its ``tokenizer`` section (``formatVersion`` 3); the named
    graph input takes the ids (int32 ``[None, sequence_length]``).
    """
    if quantize is not None and quantize not in SCHEMES:
        raise ValueError(f"unknown quantize {quantize!r}; valid: None, {', '.join(map(repr, SCHEMES))}")
    if isinstance(shard_bytes, bool) or not isinstance(shard_bytes, int) or shard_bytes < 1:
        raise ValueError(f"shard_bytes must be a positive int, got {shard_bytes!r}")
    if isinstance(selftest_batch, bool) or not isinstance(selftest_batch, int) or selftest_batch < 1:
        raise ValueError(f"selftest_batch must be a positive int, got {selftest_batch!r}")
    if training is not None and quantize is not None:
        raise ValueError(f"quantize={quantize!r} cannot be combined with a training section: a trainable bundle "
                         "keeps float32 master weights")
    graph.validate()
    nodes = [_node_json(n) for n in graph.nodes]
    check_shapes(graph, "graph")
    entries, blob, runtime_constants = _layout(graph, quantize)
    shards = [bytes(blob[i:i + shard_bytes]) for i in range(0, len(blob), shard_bytes)]
    runtime_graph = Graph(graph.inputs, graph.outputs, graph.nodes, runtime_constants)
    manifest = {
        "format": FORMAT,
        "formatVersion": 3 if tokenizer is not None else 1 if training is None else 2,
        "opsetVersion": bundle_opset_version(_ops_used(graph, training)),
        "producer": {"name": "webgrad", "version": webgrad_version(), **(producer or {})},
        "signature": {"inputs": [_spec_json(s) for s in graph.inputs],
                      "outputs": [_spec_json(s) for s in graph.outputs]},
        "graph": {"nodes": nodes},
        "weights": {
            "shards": [{"file": shard_name(i), "byteLength": len(s), "sha256": hashlib.sha256(s).hexdigest()}
                       for i, s in enumerate(shards)],
            "tensors": entries,
        },
        "metadata": _plain(metadata or {}, "metadata"),
        "selftest": make_selftest(runtime_graph, selftest_batch),
    }
    if training is not None:
        manifest["training"] = _plain(training, "training")
        for n in manifest["training"]["lossGraph"]["nodes"]:
            n["attrs"] = _node_json(Node(n["name"], n["op"], n["inputs"], n["outputs"], n["attrs"]))["attrs"]
    extra: dict[str, bytes] = {}
    if tokenizer is not None:
        input_name, tok = tokenizer
        extra[TOKENIZER_FILE] = tok.to_str().encode("utf-8")
        manifest["tokenizer"] = tokenizer_section(tok, extra[TOKENIZER_FILE], input_name)
    check_schema(manifest, "model.json to write")  # e.g. a producer override without a string version
    check_training(manifest, runtime_graph, "model.json to write")
    if tokenizer is not None:
        check_section(manifest, "model.json to write")
    path = Path(path)
    final = [shard_name(i) for i in range(len(shards))]

    def manifest_for(names: list[str]) -> bytes:
        if names == final:  # just before the final model.json: the files it lists besides the shards
            for name, data in extra.items():
                _replace_file(path / name, data)
        return _render_with_shards(manifest, names)

    replace_bundle(path, manifest_for, shards, overwrite=overwrite, write_file=_write_file)
    files = {MODEL_FILE: render(manifest).encode("utf-8"), **extra}
    files.update({shard_name(i): s for i, s in enumerate(shards)})
    stats = weight_stats(entries)
    return WriteReport(path=path, files=[path / name for name in files], bytes_total=sum(map(len, files.values())),
                       bytes_float32=stats["bytes_float32"], by_dtype=stats["by_dtype"])


def shard_name(index: int) -> str:
    """File name of shard ``index``.

    >>> shard_name(12)
    'weights-012.bin'
    """
    return f"weights-{index:03d}.bin"


def tensor_order(graph: Graph) -> list[str]:
    """Constant names in order of first use by the nodes, then the unused ones by name.

    >>> from webgrad.exporter.graph import Graph, Node
    >>> g = Graph([], [], [Node("n", "Add", ["b", "a"], ["y"])], {"z": 0, "a": 0, "b": 0})
    >>> tensor_order(g)
    ['b', 'a', 'z']
    """
    order = dict.fromkeys(i for n in graph.nodes for i in n.inputs if i in graph.constants)
    return list(order) + sorted(set(graph.constants) - set(order))


def _ops_used(graph: Graph, training: dict[str, Any] | None) -> set[str]:
    """The op names of the forward graph and, in a trainable bundle, of its loss graph."""
    ops = {n.op for n in graph.nodes}
    if training is not None:
        ops |= {n["op"] for n in training.get("lossGraph", {}).get("nodes", [])}
    return ops


def _node_json(n: Node) -> dict[str, Any]:
    """The node with every attribute (defaults filled in), so runtimes need no defaults table."""
    if n.op not in op_names():
        raise ValueError(f"unknown op {n.op!r} in node {n.name!r}; the op set has: {', '.join(op_names())}")
    try:
        attrs = normalize_attrs(n.op, n.attrs)
    except OpAttributeError as e:
        raise ValueError(f"node {n.name!r}: {e}") from e
    return Node(n.name, n.op, n.inputs, n.outputs, attrs).to_json()


def _spec_json(spec: Any) -> dict[str, Any]:
    return {"name": spec.name, "dtype": spec.dtype, "shape": [None if d is None else int(d) for d in spec.shape]}


def _layout(graph: Graph, scheme: str | None) -> tuple[list[dict[str, Any]], bytearray, dict[str, np.ndarray]]:
    """Quantizes and places every constant: (tensor entries, weight byte stream, float32 constants as a
    runtime will see them)."""
    entries, blob, runtime = [], bytearray(), {}
    for name in tensor_order(graph):
        value = np.asarray(graph.constants[name])
        if value.dtype not in (np.float32, np.int32):
            raise ValueError(f"weight {name!r} is {value.dtype}; bundles store float32 or int32 weights")
        if value.dtype == np.float32 and not np.all(np.isfinite(value)):
            raise ValueError(f"weight {name!r} has NaN or Inf values; bundle weights must be finite")
        stored, quantization = quantize_tensor(value, scheme)
        blob += bytes(-len(blob) % ALIGN)
        entry = {"name": name, "dtype": str(stored.dtype), "shape": list(stored.shape), "offset": len(blob),
                 "byteLength": stored.nbytes}
        if quantization is not None:
            entry["quantization"] = quantization
        blob += stored.astype(stored.dtype.newbyteorder("<")).tobytes()
        entries.append(entry)
        runtime[name] = dequantize_tensor(stored, quantization)
    return entries, blob, runtime


def make_selftest(graph: Graph, batch: int) -> dict[str, Any]:
    """The self-test: a fixed input (``default_rng(0)``; floats uniform in [0, 1), ints in [0, 2); dynamic
    dims = ``batch``), the reference output on ``graph`` (weights as a runtime sees them) and a tolerance."""
    rng = np.random.default_rng(0)
    feeds = {}
    for spec in graph.inputs:
        shape = tuple(batch if d is None else int(d) for d in spec.shape)
        if np.dtype(spec.dtype).kind == "f":
            feeds[spec.name] = rng.random(shape, dtype=np.float32).astype(spec.dtype)
        else:
            feeds[spec.name] = rng.integers(0, 2, shape).astype(spec.dtype)
    with np.errstate(all="ignore"):
        outputs = graph.run(feeds)
    tolerances = [op_spec(op)["tolerance"] for op in {n.op for n in graph.nodes}] or [{"rtol": 0, "atol": 0}]
    return {
        "inputs": [{"name": s.name, **encode(feeds[s.name])} for s in graph.inputs],
        "outputs": [{"name": s.name, **encode(np.asarray(o, s.dtype))}
                    for s, o in zip(graph.outputs, outputs, strict=True)],
        "tolerance": {k: float(TOLERANCE_FACTOR * max(t[k] for t in tolerances)) for k in ("rtol", "atol")},
    }


def _plain(obj: Any, where: str) -> Any:
    """``obj`` with numpy values turned into JSON ones; raises ValueError naming what cannot be stored."""
    if isinstance(obj, dict):
        if not all(isinstance(k, str) for k in obj):
            raise ValueError(f"{where}: keys must be strings, got {sorted(map(repr, obj))}")
        return {k: _plain(v, f"{where}.{k}") for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, np.ndarray | np.generic):
        return _plain(obj.tolist(), where)
    if isinstance(obj, float) and not np.isfinite(obj):
        raise ValueError(f"{where} is {obj}; JSON has no NaN or Infinity")
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    raise ValueError(f"{where} is a {type(obj).__name__}, which JSON cannot store")


def _render_with_shards(manifest: dict[str, Any], names: list[str]) -> bytes:
    """``model.json`` bytes for ``manifest`` with its shards stored under ``names`` (the interim names
    of a crash-safe replace, or the final ones)."""
    manifest = copy.deepcopy(manifest)
    for shard, name in zip(manifest["weights"]["shards"], names, strict=True):
        shard["file"] = name
    return render(manifest).encode("utf-8")


def _write_file(path: Path, data: bytes) -> None:
    write_durably(path, data)


def _replace_file(path: Path, data: bytes) -> None:
    """Writes ``path`` whole or not at all (a temporary file renamed over it; an export that dies
    first leaves a ``.webgrad.tmp-*`` file, which the next export removes)."""
    tmp = path.with_name(f".webgrad.tmp-{path.name}")
    tmp.unlink(missing_ok=True)
    write_durably(tmp, data)
    os.replace(tmp, path)


__all__ = ["DEFAULT_SHARD_BYTES", "ExportTargetError", "WriteReport", "make_selftest", "shard_name", "tensor_order",
           "write_bundle"]
