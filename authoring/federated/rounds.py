"""One federated round's bookkeeping (which clients were selected, which task ids they hold, what was
accepted or rejected) and the deterministic choices of a round: the selection, the task ids, the
clients' seeds. Every random choice is derived from the server's seed and the round number, so a
restarted server makes the same ones (docs/federated_protocol.md, "Rounds").

>>> select(["c-b", "c-a", "c-c"], 2, seed=0, round_=1, draw=0) == select(["c-c", "c-a", "c-b"], 2, 0, 1, 0)
True
>>> task_id("run", 3, "c-a")[:4], 0 <= client_seed(0, 3, "c-a") < 2 ** 31
('t-3-', True)
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Accepted", "RoundState", "client_seed", "select", "task_id", "round_rng"]


def _digest(*parts: Any) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode("utf-8")).hexdigest()


def round_rng(seed: int, round_: int, purpose: int) -> np.random.Generator:
    """The generator of one purpose (0.. selection draws, -1 aggregation noise) in round ``round_``."""
    return np.random.default_rng([int(seed) & 0xFFFFFFFF, int(round_), int(purpose) & 0xFFFFFFFF])


def select(candidates: list[str], count: int, seed: int, round_: int, draw: int) -> list[str]:
    """``min(count, len(candidates))`` of the candidates (sorted first), drawn without replacement."""
    pool = sorted(candidates)
    if count >= len(pool):
        return pool
    picked = round_rng(seed, round_, draw).choice(len(pool), size=count, replace=False)
    return sorted(pool[i] for i in picked)


def task_id(run_id: str, round_: int, client_id: str) -> str:
    """The id of ``client_id``'s task in round ``round_`` (the same after a restart of the server)."""
    return f"t-{round_}-{_digest(run_id, round_, client_id)[:12]}"


def client_seed(seed: int, round_: int, client_id: str) -> int:
    """The ``settings.seed`` given to ``client_id`` in round ``round_`` (an int in [0, 2**31))."""
    return int(_digest(seed, round_, client_id)[:8], 16) & 0x7FFFFFFF


@dataclass
class Accepted:
    """An accepted update: the float32 vector (or None with secure aggregation: the server holds only the
    masked vector) and what the client said with it."""

    vector: np.ndarray | None
    num_examples: int
    clipped: bool
    loss: float | None
    accuracy: float | None

    def meta(self) -> dict[str, Any]:
        return {"numExamples": self.num_examples, "clipped": self.clipped, "loss": self.loss,
                "accuracy": self.accuracy}


@dataclass
class RoundState:
    """The open round: ``selected`` -> task id, accepted updates, rejections, its deadline."""

    number: int
    tasks: dict[str, str]
    deadline: float
    clip_norm: float | None
    opened: float = field(default_factory=time.monotonic)
    accepted: dict[str, Accepted] = field(default_factory=dict)
    rejected: list[dict[str, str]] = field(default_factory=list)
    extensions: int = 0
    secagg: Any = None  # the SecAggServer of a round with secure aggregation
    phase_started: float = 0.0  # when its current secure-aggregation phase began

    def pending(self) -> list[str]:
        """Selected clients that have not answered yet."""
        return sorted(c for c in self.tasks if c not in self.accepted)

    def report(self, version: int, started: float, epsilon: float | None, evaluation: dict[str, float] | None,
               ) -> dict[str, Any]:
        """The round report (docs/federated_protocol.md, ``GET /fl/v1/status``)."""
        ids = sorted(self.accepted)
        total = sum(self.accepted[c].num_examples for c in ids)

        def mean(name: str) -> float | None:
            pairs = [(getattr(self.accepted[c], name), self.accepted[c].num_examples) for c in ids]
            pairs = [(v, n) for v, n in pairs if v is not None]
            return sum(v * n for v, n in pairs) / sum(n for _, n in pairs) if pairs else None

        return {"round": self.number, "version": version, "selected": len(self.tasks), "participants": len(ids),
                "accepted": ids, "rejected": list(self.rejected), "dropped": self.pending(), "numExamples": total,
                "loss": mean("loss"), "accuracy": mean("accuracy"), "eval": evaluation, "epsilon": epsilon,
                "clipNorm": self.clip_norm, "extensions": self.extensions,
                "seconds": round(time.monotonic() - started, 3)}
