"""The demo server under continuous re-export with many concurrent clients (see ``demo_app/stress.py``).

    python benchmarks/demo_reexport_stress.py --seconds 30 --clients 50
    python benchmarks/demo_reexport_stress.py --seconds 10 --json build/demo_stress.json

Prints request counts, the status histogram, the failed checks (5xx, ETag not the body's SHA-256, a
``?sha256=`` shard answered with other bytes) and how often a plain shard request got a newer version
than the client's ``model.json``. Exit status 1 if any check failed, else 0. Never part of the tests'
pass/fail (``tests/test_demo_snapshot.py`` runs a short version with its own assertions).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # demo_app is a folder of the repository, not an installed package
    sys.path.insert(0, str(REPO))

from demo_app.stress import run_stress  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Runs the stress test; returns 1 if any check failed."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seconds", type=float, default=10.0, help="how long the clients run (default 10)")
    p.add_argument("--clients", type=int, default=50, help="concurrent client threads (default 50)")
    p.add_argument("--writer", choices=("export", "swap"), default="export",
                   help="export: write_bundle into the folder (as wg.export does); swap: rename a new folder in "
                        "place of the old one (a moment without a bundle)")
    p.add_argument("--bundles", type=Path, default=None, help="bundle directory to use (default: a temporary one)")
    p.add_argument("--json", type=Path, default=None, help="also write the numbers to this file")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        report = run_stress(args.bundles or Path(tmp) / "bundles", seconds=args.seconds, clients=args.clients,
                            writer=args.writer)
    print(report.summary())
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "seconds": report.seconds, "clients": args.clients, "writer": args.writer, "requests": report.requests,
            "exports": report.exports, "statuses": {str(k): v for k, v in sorted(report.statuses.items())},
            "byKind": dict(sorted(report.by_kind.items())), "movedOn": report.moved_on,
            "completeSets": report.complete_sets, "failures": report.failures[:100],
            "exportErrors": report.export_errors[:20]}, indent=2), encoding="utf-8")
    return 1 if report.failures or report.server_errors or report.export_errors else 0


if __name__ == "__main__":
    sys.exit(main())
