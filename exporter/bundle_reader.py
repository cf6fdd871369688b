"""Reads and validates a web bundle (format v1, see ``model.schema.json``) into a ``Graph``.

``read_bundle`` checks, in this order, and raises ``BundleError`` naming the file, node or tensor and
what was expected: model.json exists and is JSON; ``format``; ``formatVersion`` and ``opsetVersion``
not newer than this webgrad supports; the JSON Schema; each shard present, of its ``byteLength`` and
``sha256``; each tensor inside the weight data, of a known dtype and consistent quantization, with
finite values; each node's op known and attributes valid; the graph (every tensor defined before use,
no cycle) and its shapes against the signature; a trainable bundle's ``training`` section
(``bundle_training``); a text bundle's ``tokenizer`` section and file (``bundle_tokenizer``); the
self-test's tensors against the signature.

Every failure is a ``BundleError`` (a ``ValueError``) whose ``code`` is the JS runtime's for the same
failure (``EJSON``, ``ESCHEMA``, ``ESHARD_SIZE``, ``ELIMIT``...): the two readers accept the same
bundles (tests/bundle_cases/).

>>> try:
...     read_bundle("/nonexistent/bundle")
... except BundleError as e:
...     print(e.code, e)
EMODEL_MISSING /nonexistent/bundle: no such bundle directory
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from webgrad.exporter.bundle_errors import CODES, BundleError, short_repr
from webgrad.exporter.bundle_files import file_size, open_regular, read_fd, read_into
from webgrad.exporter.bundle_json import check_finite, is_integer, parse_model_json
from webgrad.exporter.bundle_preprocessing import check_preprocessing
from webgrad.exporter.bundle_shapes import check_arena, check_shapes, checked_attrs
from webgrad.exporter.bundle_tokenizer import check_tokenizer
from webgrad.exporter.bundle_training import check_training
from webgrad.exporter.graph import Graph, GraphError, Node, TensorSpec
from webgrad.exporter.opset import opset_version
from webgrad.exporter.quantize import INT8_SCHEME, dequantize_tensor

__all__ = ["CODES", "Bundle", "BundleError", "Limits", "check_schema", "check_shapes", "read_bundle", "weight_stats"]

FORMAT = "webgrad-bundle"
FORMAT_VERSION = 3  # the newest format this reader reads (1: inference; 2: may be trainable; 3: may have a tokenizer)
MODEL_FILE = "model.json"
ALIGN = 16  # tensor offsets are multiples of this, so a runtime can view them as typed arrays
SCHEMA_PATH = Path(__file__).with_name("model.schema.json")
# Stored dtype of a tensor -> the quantization scheme it needs (None: stored as is).
STORED = {"float32": None, "int32": None, "float16": "float16", "int8": INT8_SCHEME}
MAX_BYTES = 1 << 30  # total declared weight bytes
MAX_MODEL_JSON_BYTES = 64 << 20
MAX_ARENA_BYTES = 1 << 30  # inputs and intermediate tensors of one run, from the shape rules


@dataclass(frozen=True)
class Limits:
    """The resource limits a bundle was read with (the runner checks each predict against the arena)."""

    max_bytes: float = MAX_BYTES
    max_model_json_bytes: float = MAX_MODEL_JSON_BYTES
    max_arena_bytes: float = MAX_ARENA_BYTES


@dataclass
class Bundle:
    """A validated bundle: ``manifest`` is model.json; ``graph`` has float32 (dequantized) weights;
    ``tokenizer`` the tokenizer of a text bundle (``webgrad.text.Tokenizer``), else None."""

    path: Path
    manifest: dict[str, Any]
    graph: Graph
    limits: Limits = field(default_factory=Limits)
    tokenizer: Any = None

    @property
    def metadata(self) -> dict[str, Any]:
        """The free-form metadata (labels, preprocessing, task, metrics...)."""
        return self.manifest["metadata"]

    @property
    def signature(self) -> dict[str, Any]:
        """``{"inputs": [{name, dtype, shape}], "outputs": [...]}``; ``None`` in a shape is dynamic."""
        return self.manifest["signature"]


def webgrad_version() -> str:
    """The installed webgrad version (what ``producer.version`` says for bundles written here)."""
    try:
        return version("webgrad")
    except PackageNotFoundError:  # pragma: no cover - source tree without install
        return "0+unknown"


def weight_stats(tensors: list[dict[str, Any]]) -> dict[str, Any]:
    """Sizes of the ``weights.tensors`` entries: stored bytes per dtype, the float32 equivalent, the
    parameter count and the tensor count per quantization scheme.

    >>> weight_stats([{"dtype": "int8", "shape": [4, 2], "byteLength": 8, "quantization": {"scheme": "x"}}])
    {'by_dtype': {'int8': 8}, 'bytes_float32': 32, 'parameters': 8, 'quantization': {'x': 1}}
    """
    by_dtype: dict[str, int] = {}
    schemes: dict[str, int] = {}
    params = 0
    for t in tensors:
        by_dtype[t["dtype"]] = by_dtype.get(t["dtype"], 0) + t["byteLength"]
        scheme = t.get("quantization", {}).get("scheme", "none")
        schemes[scheme] = schemes.get(scheme, 0) + 1
        params += int(np.prod(t["shape"], dtype=np.int64))
    return {"by_dtype": dict(sorted(by_dtype.items())), "bytes_float32": 4 * params, "parameters": params,
            "quantization": dict(sorted(schemes.items()))}


def read_bundle(path: str | Path, *, max_bytes: float = MAX_BYTES, max_model_json_bytes: float = MAX_MODEL_JSON_BYTES,
                max_arena_bytes: float = MAX_ARENA_BYTES) -> Bundle:
    """Reads the bundle directory ``path`` (or its model.json), validating everything; see the module doc.

    Limits (``BundleError`` ELIMIT when exceeded, before the bytes are read or the memory allocated):
    ``max_bytes`` the shards' total declared size (no file is read past its declared size either),
    ``max_model_json_bytes`` the size of model.json, ``max_arena_bytes`` the inputs and intermediate
    tensors a run on the self-test input needs (the runner checks each ``predict`` too). Pass
    ``math.inf`` for no limit.

    >>> read_bundle("/nonexistent/bundle").graph
    Traceback (most recent call last):
    ...
    webgrad.exporter.bundle_errors.BundleError: /nonexistent/bundle: no such bundle directory
    """
    limits = Limits(_limit("max_bytes", max_bytes), _limit("max_model_json_bytes", max_model_json_bytes),
                    _limit("max_arena_bytes", max_arena_bytes))
    if not isinstance(path, str | os.PathLike):
        raise BundleError("EARG", f"read_bundle: expected a directory path, got {type(path).__name__}")
    path = Path(path)
    if path.name == MODEL_FILE and not path.is_dir():
        path = path.parent
    manifest, non_finite = _load_manifest(path, limits.max_model_json_bytes)
    where = str(path / MODEL_FILE)
    _check_versions(manifest, where)
    if non_finite:
        check_finite(manifest, where)
    check_schema(manifest, where)
    _normalize_integers(manifest)
    check_preprocessing(manifest["metadata"], tuple(manifest["signature"]["inputs"][0]["shape"]), where)
    data = _read_shards(path, manifest["weights"]["shards"], limits.max_bytes, where)
    constants = _read_tensors(manifest["weights"]["tensors"], data, where)
    graph = _build_graph(manifest, constants, where)
    check_training(manifest, graph, where)
    tokenizer = check_tokenizer(manifest, path, where, limits.max_model_json_bytes)
    _check_selftest(manifest, where)
    selftest_shapes = {t["name"]: tuple(t["shape"]) for t in manifest["selftest"]["inputs"]}
    check_arena(graph, selftest_shapes, limits.max_arena_bytes, where, "the self-test input")
    return Bundle(path=path, manifest=manifest, graph=graph, limits=limits, tokenizer=tokenizer)


def _limit(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise BundleError("EARG", f"read_bundle: {name} must be a positive number (math.inf: no limit), got {value!r}")
    return value


def _load_manifest(path: Path, limit: float) -> tuple[dict[str, Any], bool]:
    if not path.is_dir():
        raise BundleError("EMODEL_MISSING", f"{path}: no such bundle directory")
    file = path / MODEL_FILE
    missing = f"{file}: missing model.json (a bundle directory holds model.json and weights-*.bin)"
    fd = open_regular(file, "EMODEL_MISSING", missing)
    try:
        size = file_size(fd)
        if size > limit:  # known before reading a byte
            raise BundleError("ELIMIT", f"{file}: model.json is over max_model_json_bytes ({limit} bytes): "
                                        f"the file has {size} bytes")
        raw = read_fd(fd, file, int(min(limit, 2**62)) + 1)
    finally:
        os.close(fd)
    if len(raw) > limit:  # it grew while being read
        raise BundleError("ELIMIT", f"{file}: model.json is over max_model_json_bytes ({limit} bytes): read "
                                    f"stopped at {len(raw)} bytes")
    return parse_model_json(raw, str(file))


def _version_number(value: Any) -> int | None:
    """A version as both readers see it: an integer to JSON's one number type (``2.0`` is 2, within
    ±(2^53-1)), else None (and the schema refuses it)."""
    return int(value) if is_integer(value) else None


def _check_versions(manifest: dict[str, Any], where: str) -> None:
    """Format and versions come before the schema: a newer format may not follow this schema."""
    if manifest.get("format") != FORMAT:
        raise BundleError("EFORMAT", f"{where}: 'format' is {short_repr(manifest.get('format'))}, expected {FORMAT!r} "
                                     "(not a webgrad bundle)")
    for key, supported in (("formatVersion", FORMAT_VERSION), ("opsetVersion", opset_version())):
        got = _version_number(manifest.get(key))
        if got is not None and got > supported:
            raise BundleError("EVERSION", f"{where}: {key} {got} is newer than this webgrad ({webgrad_version()}) "
                                          f"supports ({key} {supported}); upgrade webgrad (pip install -U webgrad) "
                                          "to read it")


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """JSON Schema's ``pattern`` with ECMA-262 semantics for a final ``$`` (end of string only; Python's
    also matches before a final newline, which would let 'weights-000.bin\\n' through)."""
    # jsonschema is imported on first validation, here and below: it takes longer to import than the rest
    # of the package, and ``import webgrad.exporter`` must stay cheap (test_exporter_package_exports_lazily)
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "string"):
        return
    match = re.search(pattern, instance)
    if match is None or (pattern.endswith("$") and match.end() != len(instance)):
        yield ValidationError(f"{short_repr(instance)} does not match {pattern!r}")


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    cls = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _ecma_pattern})
    return cls(schema)


def check_schema(manifest: dict[str, Any], where: str) -> None:
    """Validates ``manifest`` against model.schema.json; BundleError ESCHEMA naming the JSON path and the
    enclosing node/tensor."""
    from jsonschema.exceptions import best_match

    nodes = manifest.get("graph", {}).get("nodes") if isinstance(manifest.get("graph"), dict) else None
    if isinstance(nodes, list) and len(nodes) > 64 and all(map(_plain_node, nodes)):
        # jsonschema takes ~0.15 ms per node; nodes that plainly fit the node schema skip it (a node
        # that does not goes through jsonschema with the rest, which words the error).
        manifest = {**manifest, "graph": {**manifest["graph"], "nodes": []}}
    error = best_match(_validator().iter_errors(manifest))
    if error is None:
        return
    # Name the enclosing node/tensor/input: the innermost object on the path that has a "name".
    named, node = "", manifest
    for key in error.absolute_path:
        node = node[key]
        if isinstance(node, dict) and isinstance(node.get("name"), str):
            named = f" ({node['name']!r})"
    message = error.message if len(error.message) <= 300 else error.message[:300] + "..."
    raise BundleError("ESCHEMA", f"{where}: schema violation at {error.json_path}{named}: {message}")


_NODE_KEYS = frozenset({"name", "op", "inputs", "outputs", "attrs"})


def _plain_node(n: Any) -> bool:
    """Whether ``n`` certainly fits ``$defs/node`` of model.schema.json (a fast path, never the judge)."""
    return (type(n) is dict and n.keys() == _NODE_KEYS and type(n["name"]) is str and n["name"] != ""
            and type(n["op"]) is str and n["op"] != "" and type(n["inputs"]) is list
            and all(type(i) is str for i in n["inputs"]) and type(n["outputs"]) is list and len(n["outputs"]) == 1
            and type(n["outputs"][0]) is str and n["outputs"][0] != "" and type(n["attrs"]) is dict)


def _normalize_integers(m: dict[str, Any]) -> None:
    """After the schema (which accepts ``2.0`` where an integer belongs, as JSON has one number type),
    every integer field as a Python int."""
    def shape(spec: dict[str, Any]) -> None:
        spec["shape"] = [None if d is None else int(d) for d in spec["shape"]]

    m["formatVersion"], m["opsetVersion"] = int(m["formatVersion"]), int(m["opsetVersion"])
    for spec in (*m["signature"]["inputs"], *m["signature"]["outputs"], *m["selftest"]["inputs"],
                 *m["selftest"]["outputs"]):
        shape(spec)
    for s in m["weights"]["shards"]:
        s["byteLength"] = int(s["byteLength"])
    for t in m["weights"]["tensors"]:
        shape(t)
        t["offset"], t["byteLength"] = int(t["offset"]), int(t["byteLength"])
        if "axis" in t.get("quantization", {}):
            t["quantization"]["axis"] = int(t["quantization"]["axis"])
    training = m.get("training")
    if training is not None:
        shape(training["labels"])
        if "classes" in training["labels"]:
            training["labels"]["classes"] = int(training["labels"]["classes"])
        training["state"]["iterations"] = int(training["state"]["iterations"])


def _read_shards(path: Path, shards: list[dict[str, Any]], max_bytes: float, where: str) -> bytearray:
    """The weight data: every shard checked and concatenated (offsets are into this). Each shard is
    read in chunks into its place, never past its declared size."""
    declared = sum(s["byteLength"] for s in shards)
    if declared > max_bytes:
        raise BundleError("ELIMIT", f"{where}: the shards declare {declared} bytes of weights, over max_bytes "
                                    f"({max_bytes} bytes); pass a larger max_bytes to load this model")
    data = bytearray(declared)
    view, pos = memoryview(data), 0
    for s in shards:
        file, want = path / s["file"], s["byteLength"]
        fd = open_regular(file, "ESHARD_MISSING", f"{file}: missing shard (model.json lists it with {want} bytes)")
        try:
            size = file_size(fd)
            got = size if size != want else read_into(fd, file, view[pos:pos + want])
            if got == want and read_fd(fd, file, 1):
                got = want + 1  # it grew: one byte past the declared size is enough to know
        finally:
            os.close(fd)
        if got != want:
            kind = "truncated shard" if got < want else "shard too long"
            raise BundleError("ESHARD_SIZE", f"{file}: {kind}: model.json says {want} bytes, the file has "
                                             f"{'more' if got == want + 1 and size == want else got}")
        digest = hashlib.sha256(view[pos:pos + want]).hexdigest()
        if digest != s["sha256"]:
            raise BundleError("ECHECKSUM", f"{file}: sha256 mismatch: model.json says {s['sha256']}, the file "
                                           f"hashes to {digest} (corrupted or replaced)")
        pos += want
    return data


def _check_quantization(t: dict[str, Any], where: str) -> None:
    need, q = STORED[t["dtype"]], t.get("quantization")
    have = q["scheme"] if q else None
    if have != need:
        expect = f"quantization scheme {need!r}" if need else "no quantization (float32 and int32 are stored as is)"
        raise BundleError("ETENSOR", f"{where}: tensor {t['name']!r}: stored dtype {t['dtype']} with "
                                     f"{'scheme ' + repr(have) if have else 'no quantization'}; expected {expect}")
    if have == INT8_SCHEME:
        shape, axis, scales = t["shape"], q["axis"], q["scales"]
        if axis >= len(shape) or len(scales) != shape[axis]:
            raise BundleError("ETENSOR", f"{where}: tensor {t['name']!r} of shape {shape}: int8 axis {axis} needs one "
                                         f"scale per channel along an existing axis; got {len(scales)} scales")
        with np.errstate(over="ignore"):  # 1e300 becomes inf as a float32: that is the error reported
            as_float32 = np.asarray(scales, dtype=np.float64).astype(np.float32)
        if not (np.isfinite(as_float32).all() and (as_float32 > 0).all()):
            raise BundleError("ETENSOR", f"{where}: tensor {t['name']!r}: int8 scales must be finite positive "
                                         "float32 values")


def _read_tensors(tensors: list[dict[str, Any]], data: bytearray, where: str) -> dict[str, np.ndarray]:
    constants: dict[str, np.ndarray] = {}
    for t in tensors:
        name, dtype, shape, offset, length = t["name"], t["dtype"], t["shape"], t["offset"], t["byteLength"]
        if name in constants:
            raise BundleError("ETENSOR", f"{where}: tensor {name!r} is listed twice in weights.tensors")
        if dtype not in STORED:
            raise BundleError("ETENSOR", f"{where}: tensor {name!r}: unknown dtype {dtype!r} for a weight; "
                                         f"expected one of {', '.join(STORED)}")
        _check_quantization(t, where)
        stored = np.dtype(dtype).newbyteorder("<")
        count = math.prod(shape)  # exact: the shape's dims may be as large as 2^53
        if length != count * stored.itemsize:
            raise BundleError("ETENSOR", f"{where}: tensor {name!r}: byteLength {length}, but shape {shape} of "
                                         f"{dtype} takes {count * stored.itemsize} bytes")
        if offset + length > len(data):
            raise BundleError("ETENSOR", f"{where}: tensor {name!r}: bytes [{offset}, {offset + length}) run past the "
                                         f"end of the weight data ({len(data)} bytes in all shards)")
        raw = np.frombuffer(data, dtype=stored, count=count, offset=offset).reshape(shape)
        value = dequantize_tensor(raw.astype(dtype, copy=False), t.get("quantization"))
        bad = ~np.isfinite(value) if value.dtype.kind == "f" else None
        if bad is not None and bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            kind = "NaN" if np.isnan(value[first]) else "Inf"
            raise BundleError("ENONFINITE", f"{where}: tensor {name!r} has {kind} at index {first} "
                                            f"({int(bad.sum())} non-finite values); weights must be finite")
        constants[name] = value
    return constants


def _spec(d: dict[str, Any]) -> TensorSpec:
    return TensorSpec(d["name"], d["dtype"], tuple(d["shape"]))


def _build_graph(manifest: dict[str, Any], constants: dict[str, np.ndarray], where: str) -> Graph:
    nodes, names = [], set()
    for n in manifest["graph"]["nodes"]:
        if n["name"] in names:
            raise BundleError("EGRAPH", f"{where}: two nodes are named {n['name']!r}")
        names.add(n["name"])
        attrs = checked_attrs(n, where, declared=manifest["opsetVersion"])
        nodes.append(Node(n["name"], n["op"], list(n["inputs"]), list(n["outputs"]), attrs))
    sig = manifest["signature"]
    graph = Graph([_spec(s) for s in sig["inputs"]], [_spec(s) for s in sig["outputs"]], nodes, constants)
    try:
        graph.validate()
    except GraphError as e:
        raise BundleError("EGRAPH", f"{where}: graph: {e}") from e
    check_shapes(graph, where)
    return graph


def _compatible(declared: tuple, inferred: tuple) -> bool:
    return len(declared) == len(inferred) and all(
        a is None or b is None or a == b for a, b in zip(declared, inferred, strict=True))


def _check_selftest(manifest: dict[str, Any], where: str) -> None:
    test, sig = manifest["selftest"], manifest["signature"]
    for kind in ("inputs", "outputs"):
        if [t["name"] for t in test[kind]] != [s["name"] for s in sig[kind]]:
            raise BundleError("ESCHEMA", f"{where}: selftest {kind} {[t['name'] for t in test[kind]]} do not match "
                                         f"the signature's {[s['name'] for s in sig[kind]]}")
        for t, s in zip(test[kind], sig[kind], strict=True):
            what = f"{where}: selftest {kind[:-1]} {t['name']!r}"
            if t["dtype"] != s["dtype"] or not _compatible(tuple(s["shape"]), tuple(t["shape"])):
                raise BundleError("ESCHEMA", f"{what} is {t['dtype']} {t['shape']}; the signature says {s['dtype']} "
                                             f"{s['shape']}")
            data = t["data"]
            if len(data) % 4:
                raise BundleError("ESCHEMA", f"{what}: data is not base64: its length {len(data)} is not a multiple "
                                             "of 4")
            try:
                size = len(base64.b64decode(data, validate=True))
            except binascii.Error as e:
                raise BundleError("ESCHEMA", f"{what}: data is not base64: {e}") from e
            need = math.prod(t["shape"]) * np.dtype(t["dtype"]).itemsize
            if size != need:
                raise BundleError("ESCHEMA", f"{what}: data has {size} bytes, shape {t['shape']} of {t['dtype']} "
                                             f"needs {need}")
