"""Exports a small hand-built graph to a path and SIGKILLs itself at a chosen step (crash-safety tests).

usage: python export_and_die.py PATH SEED SHARD_BYTES [KILL_AT [OCCURRENCE]]

KILL_AT: kill the process at the OCCURRENCE-th (default 1st) filesystem step whose label contains it
(labels as ``webgrad.exporter.atomic_write`` reports them: "journal", "renamed to model.json",
"linked", "removed weights-000.bin", ...); without it the export runs to the end. SEED picks the
weights and is stored as metadata ``{"seed": SEED}``, so a reader can tell which export it sees.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/ (conftest's graph builder)

from conftest import _bundle_graph

from webgrad.exporter import atomic_write
from webgrad.exporter.bundle_writer import write_bundle


def main() -> None:
    path, seed, shard_bytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    kill_at = sys.argv[4] if len(sys.argv) > 4 else None
    left = int(sys.argv[5]) if len(sys.argv) > 5 else 1

    def hook(label: str) -> None:
        nonlocal left
        if kill_at is not None and kill_at in label:
            left -= 1
            if left == 0:
                os.kill(os.getpid(), signal.SIGKILL)

    atomic_write._step_hook = hook
    write_bundle(_bundle_graph("mlp", seed=seed), path, shard_bytes=shard_bytes, metadata={"seed": seed})


if __name__ == "__main__":
    main()
