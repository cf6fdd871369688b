"""Reads and validates a web bundle (format v1, see ``model.schema.json``) into a ``Graph``.

``read_bundle`` checks, in this order, and raises ``BundleError`` naming the file, node or tensor and
what was expected: model.json exists and is JSON; ``format``; ``formatVersion`` and ``opsetVersion``
not newer than this webgrad supports; the JSON Schema; each shard present, of its ``byteLength`` and
``sha256``; each tensor inside the weight data, of a known dtype and consistent quantization, with
finite values; each node's op known and attributes valid; the graph (every tensor defined before use,
no cycle) and its shapes against the signature; the self-test's tensors against the signature.

>>> read_bundle("/nonexistent/bundle")
Traceback (most recent call last):
...
webgrad.exporter.bundle_reader.BundleError: /nonexistent/bundle: no such bundle directory
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .graph import Graph, GraphError, Node, TensorSpec
from .opset import OpAttributeError, normalize_attrs, op_names, opset_version
from .quantize import INT8_SCHEME, dequantize_tensor

FORMAT = "webgrad-bundle"
FORMAT_VERSION = 1
MODEL_FILE = "model.json"
ALIGN = 16  # tensor offsets are multiples of this, so a runtime can view them as typed arrays
SCHEMA_PATH = Path(__file__).with_name("model.schema.json")
# Stored dtype of a tensor -> the quantization scheme it needs (None: stored as is).
STORED = {"float32": None, "int32": None, "float16": "float16", "int8": INT8_SCHEME}


class BundleError(ValueError):
    """A bundle that cannot be used: missing or corrupt file, bad model.json, unsupported version."""


@dataclass
class Bundle:
    """A validated bundle: ``manifest`` is model.json; ``graph`` has float32 (dequantized) weights."""

    path: Path
    manifest: dict[str, Any]
    graph: Graph

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
    from importlib.metadata import PackageNotFoundError, version

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


def read_bundle(path: str | Path) -> Bundle:
    """Reads the bundle directory ``path`` (or its model.json), validating everything; see the module doc."""
    path = Path(path)
    if path.name == MODEL_FILE and path.is_file():
        path = path.parent
    manifest = _load_manifest(path)
    where = str(path / MODEL_FILE)
    _check_versions(manifest, where)
    check_schema(manifest, where)
    data = _read_shards(path, manifest["weights"]["shards"])
    constants = _read_tensors(manifest["weights"]["tensors"], data, where)
    graph = _build_graph(manifest, constants, where)
    _check_selftest(manifest, where)
    return Bundle(path=path, manifest=manifest, graph=graph)


def _load_manifest(path: Path) -> dict[str, Any]:
    if not path.is_dir():
        raise BundleError(f"{path}: no such bundle directory")
    file = path / MODEL_FILE
    if not file.is_file():
        raise BundleError(f"{file}: missing model.json (a bundle directory holds model.json and weights-*.bin)")

    def no_constant(name: str) -> None:
        raise ValueError(f"{name} is not valid JSON")

    try:
        manifest = json.loads(file.read_text(encoding="utf-8"), parse_constant=no_constant)
    except json.JSONDecodeError as e:
        raise BundleError(f"{file}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from e
    except (UnicodeDecodeError, ValueError) as e:
        raise BundleError(f"{file}: invalid JSON: {e}") from e
    if not isinstance(manifest, dict):
        raise BundleError(f"{file}: expected a JSON object, got {type(manifest).__name__}")
    return manifest


def _check_versions(manifest: dict[str, Any], where: str) -> None:
    """Format and versions come before the schema: a newer format may not follow this schema."""
    if manifest.get("format") != FORMAT:
        raise BundleError(f"{where}: 'format' is {manifest.get('format')!r}, expected {FORMAT!r} "
                          "(not a webgrad bundle)")
    for key, supported in (("formatVersion", FORMAT_VERSION), ("opsetVersion", opset_version())):
        got = manifest.get(key)
        if isinstance(got, int) and not isinstance(got, bool) and got > supported:
            raise BundleError(f"{where}: {key} {got} is newer than this webgrad ({webgrad_version()}) supports "
                              f"({key} {supported}); upgrade webgrad (pip install -U webgrad) to read it")


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def check_schema(manifest: dict[str, Any], where: str) -> None:
    """Validates ``manifest`` against model.schema.json; the error names the JSON path and the enclosing
    node/tensor."""
    from jsonschema.exceptions import best_match

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
    raise BundleError(f"{where}: schema violation at {error.json_path}{named}: {message}")


def _read_shards(path: Path, shards: list[dict[str, Any]]) -> bytearray:
    """The weight data: every shard checked and concatenated (offsets are into this)."""
    data = bytearray()
    for s in shards:
        file = path / s["file"]
        if not file.is_file():
            raise BundleError(f"{file}: missing shard (model.json lists it with {s['byteLength']} bytes)")
        raw = file.read_bytes()
        if len(raw) != s["byteLength"]:
            kind = "truncated shard" if len(raw) < s["byteLength"] else "shard too long"
            raise BundleError(f"{file}: {kind}: model.json says {s['byteLength']} bytes, the file has {len(raw)}")
        digest = hashlib.sha256(raw).hexdigest()
        if digest != s["sha256"]:
            raise BundleError(f"{file}: sha256 mismatch: model.json says {s['sha256']}, the file hashes to "
                              f"{digest} (corrupted or replaced)")
        data += raw
    return data


def _check_quantization(t: dict[str, Any], where: str) -> None:
    need, q = STORED[t["dtype"]], t.get("quantization")
    have = q["scheme"] if q else None
    if have != need:
        expect = f"quantization scheme {need!r}" if need else "no quantization (float32 and int32 are stored as is)"
        raise BundleError(f"{where}: tensor {t['name']!r}: stored dtype {t['dtype']} with "
                          f"{'scheme ' + repr(have) if have else 'no quantization'}; expected {expect}")
    if have == INT8_SCHEME:
        shape, axis, scales = t["shape"], q["axis"], q["scales"]
        if axis >= len(shape) or len(scales) != shape[axis]:
            raise BundleError(f"{where}: tensor {t['name']!r} of shape {shape}: int8 axis {axis} needs one scale per "
                              f"channel along an existing axis; got {len(scales)} scales")
        if not all(np.isfinite(np.float32(s)) and np.float32(s) > 0 for s in scales):
            raise BundleError(f"{where}: tensor {t['name']!r}: int8 scales must be finite positive float32 values")


def _read_tensors(tensors: list[dict[str, Any]], data: bytearray, where: str) -> dict[str, np.ndarray]:
    constants: dict[str, np.ndarray] = {}
    for t in tensors:
        name, dtype, shape, offset, length = t["name"], t["dtype"], t["shape"], t["offset"], t["byteLength"]
        if name in constants:
            raise BundleError(f"{where}: tensor {name!r} is listed twice in weights.tensors")
        if dtype not in STORED:
            raise BundleError(f"{where}: tensor {name!r}: unknown dtype {dtype!r} for a weight; "
                              f"expected one of {', '.join(STORED)}")
        _check_quantization(t, where)
        stored = np.dtype(dtype).newbyteorder("<")
        count = int(np.prod(shape, dtype=np.int64))
        if length != count * stored.itemsize:
            raise BundleError(f"{where}: tensor {name!r}: byteLength {length}, but shape {shape} of {dtype} "
                              f"takes {count * stored.itemsize} bytes")
        if offset + length > len(data):
            raise BundleError(f"{where}: tensor {name!r}: bytes [{offset}, {offset + length}) run past the end of "
                              f"the weight data ({len(data)} bytes in all shards)")
        raw = np.frombuffer(data, dtype=stored, count=count, offset=offset).reshape(shape)
        value = dequantize_tensor(raw.astype(dtype, copy=False), t.get("quantization"))
        bad = ~np.isfinite(value) if value.dtype.kind == "f" else None
        if bad is not None and bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            kind = "NaN" if np.isnan(value[first]) else "Inf"
            raise BundleError(f"{where}: tensor {name!r} has {kind} at index {first} ({int(bad.sum())} non-finite "
                              "values); weights must be finite")
        constants[name] = value
    return constants


def _spec(d: dict[str, Any]) -> TensorSpec:
    return TensorSpec(d["name"], d["dtype"], tuple(d["shape"]))


def _build_graph(manifest: dict[str, Any], constants: dict[str, np.ndarray], where: str) -> Graph:
    known = set(op_names())
    nodes, names = [], set()
    for n in manifest["graph"]["nodes"]:
        if n["name"] in names:
            raise BundleError(f"{where}: two nodes are named {n['name']!r}")
        names.add(n["name"])
        if n["op"] not in known:
            raise BundleError(f"{where}: unknown op {n['op']!r} in node {n['name']!r}; op set v{opset_version()} "
                              f"has: {', '.join(sorted(known))}")
        try:
            attrs = normalize_attrs(n["op"], n["attrs"])
        except OpAttributeError as e:
            raise BundleError(f"{where}: node {n['name']!r}: {e}") from e
        nodes.append(Node(n["name"], n["op"], list(n["inputs"]), list(n["outputs"]), attrs))
    sig = manifest["signature"]
    graph = Graph([_spec(s) for s in sig["inputs"]], [_spec(s) for s in sig["outputs"]], nodes, constants)
    try:
        graph.validate()
    except GraphError as e:
        raise BundleError(f"{where}: graph: {e}") from e
    check_shapes(graph, where)
    return graph


def _compatible(declared: tuple, inferred: tuple) -> bool:
    return len(declared) == len(inferred) and all(
        a is None or b is None or a == b for a, b in zip(declared, inferred, strict=True))


def check_shapes(graph: Graph, where: str) -> None:
    """Shape inference over ``graph`` (a valid one): every node's inputs fit its op and the outputs match
    the signature; raises BundleError naming the node, prefixed with ``where``."""
    from webgrad import ops
    from webgrad.tensor import SymbolicTensor

    values: dict[str, Any] = {s.name: SymbolicTensor(s.shape, s.dtype) for s in graph.inputs}
    values.update({k: SymbolicTensor(v.shape, str(v.dtype)) for k, v in graph.constants.items()})
    for n in graph.nodes:
        args = [values[i] if i else None for i in n.inputs]
        while args and args[-1] is None:
            args.pop()
        try:
            values[n.outputs[0]] = ops.apply(n.op, *args, **n.attrs)
        except (ValueError, TypeError) as e:
            raise BundleError(f"{where}: node {n.name!r} ({n.op}): {e}") from e
    for spec in graph.outputs:
        got = values[spec.name]
        if got.dtype != spec.dtype or not _compatible(spec.shape, got.shape):
            raise BundleError(f"{where}: signature output {spec.name!r} is declared {spec.dtype} {list(spec.shape)}, "
                              f"but the graph makes {got.dtype} {list(got.shape)}")


def _check_selftest(manifest: dict[str, Any], where: str) -> None:
    test, sig = manifest["selftest"], manifest["signature"]
    for kind in ("inputs", "outputs"):
        if [t["name"] for t in test[kind]] != [s["name"] for s in sig[kind]]:
            raise BundleError(f"{where}: selftest {kind} {[t['name'] for t in test[kind]]} do not match the "
                              f"signature's {[s['name'] for s in sig[kind]]}")
        for t, s in zip(test[kind], sig[kind], strict=True):
            what = f"{where}: selftest {kind[:-1]} {t['name']!r}"
            if t["dtype"] != s["dtype"] or not _compatible(tuple(s["shape"]), tuple(t["shape"])):
                raise BundleError(f"{what} is {t['dtype']} {t['shape']}; the signature says {s['dtype']} {s['shape']}")
            try:
                size = len(base64.b64decode(t["data"], validate=True))
            except binascii.Error as e:
                raise BundleError(f"{what}: data is not base64: {e}") from e
            need = int(np.prod(t["shape"], dtype=np.int64)) * np.dtype(t["dtype"]).itemsize
            if size != need:
                raise BundleError(f"{what}: data has {size} bytes, shape {t['shape']} of {t['dtype']} needs {need}")
