"""The federated server's state directory: checkpoints, published versions and the journal of the open
round, each written atomically, so a server killed at any instant resumes with nothing lost.

Layout of ``checkpoint_dir``::

    tokens.json               enrolled token hashes (webgrad.federated.tokens)
    checkpoint.npz            the last completed round: arrays + one JSON document (replaced atomically)
    model/<v>/                published version v (a bundle; written before the checkpoint naming it)
    rounds/<r>/round.json     the open round r: its selection and task ids (written when it opens)
    rounds/<r>/<clientId>.npz an accepted update of round r (written before the client hears "accepted")

A checkpoint holds the global weights, the round and version numbers, the strategy's and the DP
mechanism's ``state_dict`` (arrays and scalars, any nesting of dicts and lists), the joined clients and
the round reports. Random numbers are drawn from generators derived from the seed and the round, so
there is no generator state to save.

>>> import tempfile, numpy as np
>>> store = StateStore(tempfile.mkdtemp())
>>> store.save_checkpoint({"round": 1, "strategy": {"m": [np.ones(2)], "t": 3}}, np.zeros(4, np.float32))
>>> meta, weights = store.load_checkpoint()
>>> meta["round"], meta["strategy"]["m"][0].tolist(), meta["strategy"]["t"], weights.shape
(1, [1.0, 1.0], 3, (4,))
"""

from __future__ import annotations

import io
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from webgrad.exporter.atomic_write import write_durably

__all__ = ["StateStore", "pack", "unpack"]

CHECKPOINT = "checkpoint.npz"
FORMAT = "webgrad-federated-checkpoint"


def pack(obj: Any, arrays: dict[str, np.ndarray], prefix: str = "s") -> Any:
    """``obj`` as JSON with every numpy array moved into ``arrays`` (replaced by ``{"__array__": key}``).

    >>> arrays = {}
    >>> pack({"a": [np.ones(1), 2.5]}, arrays), sorted(arrays)
    ({'a': [{'__array__': 's/a/0'}, 2.5]}, ['s/a/0'])
    """
    if isinstance(obj, np.ndarray):
        arrays[prefix] = obj
        return {"__array__": prefix}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {str(k): pack(v, arrays, f"{prefix}/{k}") for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [pack(v, arrays, f"{prefix}/{i}") for i, v in enumerate(obj)]
    return obj


def unpack(obj: Any, arrays: Any) -> Any:
    """The inverse of ``pack``."""
    if isinstance(obj, dict):
        if set(obj) == {"__array__"}:
            return np.array(arrays[obj["__array__"]])
        return {k: unpack(v, arrays) for k, v in obj.items()}
    if isinstance(obj, list):
        return [unpack(v, arrays) for v in obj]
    return obj


class StateStore:
    """Reads and writes a server's state directory (see the module doc)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    # -- checkpoints -------------------------------------------------------------------------------
    def save_checkpoint(self, meta: dict[str, Any], weights: np.ndarray) -> None:
        """Replaces the checkpoint atomically: one file, written to a temporary name and renamed."""
        arrays: dict[str, np.ndarray] = {"weights": np.asarray(weights, np.float32)}
        doc = pack(meta, arrays)
        buffer = io.BytesIO()
        np.savez(buffer, __meta__=np.array(json.dumps({"format": FORMAT, "meta": doc}, sort_keys=True)), **arrays)
        self._replace(CHECKPOINT, buffer.getvalue())

    def load_checkpoint(self) -> tuple[dict[str, Any], np.ndarray] | None:
        """(meta, global weights) of the last checkpoint, or None before the first."""
        path = self.root / CHECKPOINT
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as data:
            doc = json.loads(str(data["__meta__"]))
            if doc.get("format") != FORMAT:
                raise ValueError(f"{path}: not a webgrad federated checkpoint")
            arrays = {k: data[k] for k in data.files}
        return unpack(doc["meta"], arrays), arrays["weights"].astype(np.float32)

    # -- published versions ------------------------------------------------------------------------
    def version_dir(self, version: int) -> Path:
        """Where version ``version`` is (or will be) published."""
        return self.root / "model" / str(int(version))

    # -- the open round's journal ------------------------------------------------------------------
    def round_dir(self, round_: int) -> Path:
        return self.root / "rounds" / str(int(round_))

    def save_round(self, round_: int, doc: dict[str, Any]) -> None:
        """Records the open round (selection, task ids) atomically."""
        self.round_dir(round_).mkdir(parents=True, exist_ok=True)
        self._replace(Path("rounds") / str(round_) / "round.json", json.dumps(doc, sort_keys=True).encode("utf-8"))

    def save_update(self, round_: int, client_id: str, vector: np.ndarray, meta: dict[str, Any]) -> None:
        """Records an accepted update of round ``round_`` atomically."""
        buffer = io.BytesIO()
        np.savez(buffer, vector=np.asarray(vector, np.float32), meta=np.array(json.dumps(meta, sort_keys=True)))
        self._replace(Path("rounds") / str(round_) / f"{client_id}.npz", buffer.getvalue())

    def load_round(self, round_: int) -> tuple[dict[str, Any], dict[str, tuple[np.ndarray, dict[str, Any]]]] | None:
        """(round doc, {clientId: (vector, meta)}) of the journaled round ``round_``, or None."""
        folder = self.round_dir(round_)
        if not (folder / "round.json").exists():
            return None
        doc = json.loads((folder / "round.json").read_text("utf-8"))
        updates = {}
        for file in sorted(folder.glob("*.npz")):
            with np.load(file, allow_pickle=False) as data:
                updates[file.stem] = (data["vector"].astype(np.float32), json.loads(str(data["meta"])))
        return doc, updates

    def drop_rounds(self, upto: int) -> None:
        """Removes the journals of rounds ≤ ``upto`` (after the checkpoint that includes them)."""
        rounds = self.root / "rounds"
        if rounds.is_dir():
            for folder in rounds.iterdir():
                if folder.name.isdigit() and int(folder.name) <= upto:
                    shutil.rmtree(folder, ignore_errors=True)

    def _replace(self, relative: str | Path, data: bytes) -> None:
        target = self.root / relative
        tmp = target.with_name(f".tmp-{uuid.uuid4().hex[:8]}-{target.name}")
        write_durably(tmp, data)
        os.replace(tmp, target)
