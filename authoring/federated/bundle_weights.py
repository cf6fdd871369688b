"""The trainable weights of a trainable bundle as one flat vector, and a bundle with them replaced.

The **update vector** layout of the federated protocol (docs/federated_protocol.md): for each name of
``training.trainable``, in that order, the float32 tensor flattened row-major; concatenated. A new global
version is the same bundle with these tensors replaced: the bundle is read with the exporter's reader
and written again with its writer (same graph, metadata, producer and training section; shard checksums
and the self-test recomputed on the numpy reference), so every check the exporter makes applies.

>>> import tempfile, numpy as np, webgrad as wg
>>> m = wg.Sequential([wg.Input((3,), name="x"), wg.layers.Dense(2, activation="softmax", name="p")])
>>> m.compile(optimizer=wg.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
>>> src = tempfile.mkdtemp() + "/v0"
>>> _ = wg.export(m, src, trainable=True, verbose=0)
>>> layout = trainable_layout(read_bundle(src).manifest)
>>> layout, update_length(layout)
([('p/kernel', (3, 2)), ('p/bias', (2,))], 8)
>>> new = trainable_vector(read_bundle(src)) + np.float32(1)
>>> out = write_with_trainable(src, new, tempfile.mkdtemp() + "/v1")
>>> bool(np.array_equal(trainable_vector(read_bundle(out)), new))
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from webgrad.exporter.bundle_reader import Bundle, read_bundle
from webgrad.exporter.bundle_writer import DEFAULT_SHARD_BYTES, write_bundle
from webgrad.exporter.graph import Graph

__all__ = ["split_vector", "trainable_layout", "trainable_vector", "update_length", "write_with_trainable"]

Layout = list[tuple[str, tuple[int, ...]]]


def trainable_layout(manifest: dict[str, Any]) -> Layout:
    """``[(name, shape)]`` of the trainable weights in ``training.trainable`` order; ValueError for a
    bundle without a training section (a federated model must be exported with ``trainable=True``)."""
    training = manifest.get("training")
    if training is None:
        raise ValueError("model: the bundle has no training section; export it with "
                         "wg.export(model, path, trainable=True)")
    shapes = {t["name"]: tuple(int(d) for d in t["shape"]) for t in manifest["weights"]["tensors"]}
    return [(name, shapes[name]) for name in training["trainable"]]


def update_length(layout: Layout) -> int:
    """n, the number of float32 values of an update vector."""
    return int(sum(int(np.prod(shape, dtype=np.int64)) for _, shape in layout))


def trainable_vector(bundle: Bundle) -> np.ndarray:
    """The bundle's trainable weights as one float32 vector (the update vector layout)."""
    layout = trainable_layout(bundle.manifest)
    parts = [np.asarray(bundle.graph.constants[name], np.float32).reshape(-1) for name, _ in layout]
    return np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)


def split_vector(vector: np.ndarray, layout: Layout, dtype: type = np.float32) -> list[np.ndarray]:
    """``vector`` cut into the layout's tensors (of ``dtype``, their shapes).

    >>> [a.shape for a in split_vector(np.arange(8, dtype=np.float32), [("k", (3, 2)), ("b", (2,))])]
    [(3, 2), (2,)]
    """
    vector = np.asarray(vector, dtype).reshape(-1)
    if vector.size != update_length(layout):
        raise ValueError(f"vector: expected {update_length(layout)} values, got {vector.size}")
    out, start = [], 0
    for _, shape in layout:
        size = int(np.prod(shape, dtype=np.int64))
        out.append(vector[start:start + size].reshape(shape).copy())
        start += size
    return out


def write_with_trainable(source: str | Path | Bundle, vector: np.ndarray, path: str | Path) -> Path:
    """Writes the bundle ``source`` at ``path`` with its trainable weights taken from ``vector``; every
    other part (graph, frozen weights, optimizer slots, metadata) is copied. Returns ``path``."""
    bundle = source if isinstance(source, Bundle) else read_bundle(source)
    manifest = bundle.manifest
    layout = trainable_layout(manifest)
    if not np.all(np.isfinite(np.asarray(vector, np.float32))):
        raise ValueError("vector: the new trainable weights hold NaN or Inf values")
    constants = dict(bundle.graph.constants)
    constants.update({name: value for (name, _), value in zip(layout, split_vector(vector, layout), strict=True)})
    graph = Graph(bundle.graph.inputs, bundle.graph.outputs, bundle.graph.nodes, constants)
    shards = manifest["weights"]["shards"]
    shard_bytes = shards[0]["byteLength"] if len(shards) > 1 else DEFAULT_SHARD_BYTES
    write_bundle(graph, path, metadata=manifest["metadata"], producer=manifest["producer"],
                 shard_bytes=shard_bytes, selftest_batch=_selftest_batch(manifest),
                 training=manifest["training"], overwrite=True)
    return Path(path)


def _selftest_batch(manifest: dict[str, Any]) -> int:
    """The size the source's self-test gave its first dynamic dim (so a rewrite keeps it)."""
    for spec, tensor in zip(manifest["signature"]["inputs"], manifest["selftest"]["inputs"], strict=False):
        for declared, actual in zip(spec["shape"], tensor["shape"], strict=False):
            if declared is None:
                return int(actual)
    return 2
