"""``webgrad ops`` and ``webgrad conformance``: where each op is implemented, and how each of the five
implementations does on the shared test vectors.

    webgrad ops Conv2D          # Conv2D's files per implementation and each one's conformance
    webgrad ops --all           # the whole coverage table, every op's conformance
    webgrad ops --all --no-run  # the table only (no vectors run)
    webgrad conformance         # the op x implementation matrix: numpy, jax, js, wasm, webgpu

The same without the ``webgrad`` script: ``python -m webgrad.exporter.ops_cli Conv2D`` and
``python -m webgrad.exporter.ops_cli conformance``. js, wasm and webgpu run in Node.js through the npm
CLI (``node js_runtime/bin/webgrad.js conformance --json``); the npm CLI's own ``conformance`` runs
those three only.

>>> main(["Relu", "--no-run"])  # doctest: +ELLIPSIS
Relu: ...
0
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from webgrad.exporter.conformance import Report, Result, conformance, format_cell, format_report
from webgrad.exporter.coverage import IMPLEMENTATIONS, ROOT, cell, load_table
from webgrad.exporter.opset import load_opset, op_names
from webgrad.exporter.vectors import DEFAULT_DIR

INDENT = " " * 10


def status_line(impl: str, report: Report | None, op: str) -> str:
    """How ``op`` did on ``impl`` in ``report``, in words.

    >>> status_line("jax", Report(["Add"], ["jax"], unavailable={"jax": "not installed"}), "Add")
    'not run: not installed'
    """
    if report is None:
        return "not run (--no-run)"
    if impl in report.unavailable:
        return f"not run: {report.unavailable[impl]}"
    r: Result | None = report.cells.get(impl, {}).get(op)
    if r is None:
        return "no vectors for this op"
    if r.status == "skip":
        return f"skipped: {r.message}"
    counted = f"{r.cases} cases, {r.rejects} rejects"
    if r.status == "pass":
        return f"pass: max error {format_cell(r)} over {counted}"
    return f"{r.status.upper()}: {r.message} ({counted})"


def describe_op(table: dict[str, Any], op: str, report: Report | None, vectors: Path = DEFAULT_DIR) -> list[str]:
    """The lines ``webgrad ops OP`` prints for one op: per implementation its files and its status.

    >>> describe_op(load_table(), "Reshape", None)[6]
    '  js      js_runtime/src/backends/js/kernels/Reshape.js'
    """
    spec = load_opset()["ops"][op]
    vec = vectors / f"{op}.json"
    lines = [f"{op}: {spec['doc']}",
             f"  tolerance rtol={spec['tolerance']['rtol']} atol={spec['tolerance']['atol']}; vectors "
             f"{_shown(vec) if vec.is_file() else 'none'}"]
    for impl in IMPLEMENTATIONS:
        c = cell(table, op, impl)
        where = list(c.files) or [f"({'alias' if c.alias else 'excluded'}: {c.alias or c.excluded})"]
        lines.append(f"  {impl:<7} {where[0]}")
        lines += [f"{INDENT}{w}" for w in where[1:]]
        lines.append(f"{INDENT}{status_line(impl, report, op)}")
    return lines


def _shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it (as the table's paths are)."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def cmd_ops(args: argparse.Namespace) -> int:
    """``webgrad ops``: exit 0, 1 when a conformance cell failed, 2 on bad usage."""
    if args.all == bool(args.op):
        print("webgrad ops: give one op name, or --all", file=sys.stderr)
        return 2
    if args.op and args.op not in op_names():
        print(f"webgrad ops: unknown op {args.op!r}; ops: {', '.join(op_names())}", file=sys.stderr)
        return 2
    table = load_table()
    ops = op_names() if args.all else [args.op]
    report = None if args.no_run else conformance(Path(args.vectors), ops=None if args.all else ops)
    if args.json:
        rows = {op: {impl: _cell_json(table, op, impl) for impl in IMPLEMENTATIONS} for op in ops}
        print(json.dumps({"ops": rows, "conformance": report.to_json() if report else None}))
    else:
        print("\n\n".join("\n".join(describe_op(table, op, report, Path(args.vectors))) for op in ops))
    return 0 if report is None or report.ok else 1


def _cell_json(table: dict[str, Any], op: str, impl: str) -> dict[str, Any]:
    c = cell(table, op, impl)
    return {"files": list(c.files)} if c.files else ({"alias": c.alias} if c.alias else {"excluded": c.excluded})


def cmd_conformance(args: argparse.Namespace) -> int:
    """``webgrad conformance``: exit 0, 1 when a case failed, 2 on bad usage."""
    impls = [i for i in args.implementations.split(",") if i]
    unknown = [i for i in impls if i not in IMPLEMENTATIONS]
    if unknown or not impls:
        print(f"webgrad conformance: unknown implementation(s) {unknown}; known: {','.join(IMPLEMENTATIONS)}",
              file=sys.stderr)
        return 2
    report = conformance(Path(args.vectors), impls)
    print(json.dumps(report.to_json()) if args.json else format_report(report))
    return 0 if report.ok else 1


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Adds ``ops`` and ``conformance`` to the ``webgrad`` command line's subcommands."""
    o = sub.add_parser("ops", help="where an op is implemented (numpy, jax, js, wasm, webgpu) and how each does",
                       description="Print an op's files per implementation (from exporter/coverage.json) and "
                                   "each implementation's conformance on the shared test vectors.")
    o.add_argument("op", nargs="?", help="op name, e.g. Conv2D")
    o.add_argument("--all", action="store_true", help="every op of the op set")
    o.add_argument("--no-run", action="store_true", help="print the files only; run no vectors")
    o.add_argument("--vectors", default=str(DEFAULT_DIR), help="vector directory (default: tests/vectors)")
    o.add_argument("--json", action="store_true", help="print JSON")
    o.set_defaults(func=cmd_ops)
    c = sub.add_parser("conformance", help="the op x implementation conformance matrix on the shared vectors",
                       description="Run the shared test vectors on numpy, jax (when installed), and js, wasm and "
                                   "webgpu (through node; webgpu needs the 'webgpu' npm package and an adapter).")
    c.add_argument("--implementations", default=",".join(IMPLEMENTATIONS),
                   help=f"comma-separated (default: {','.join(IMPLEMENTATIONS)})")
    c.add_argument("--vectors", default=str(DEFAULT_DIR), help="vector directory (default: tests/vectors)")
    c.add_argument("--json", action="store_true", help="print JSON")
    c.set_defaults(func=cmd_conformance)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m webgrad.exporter.ops_cli [OP | --all | conformance] ...``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="webgrad")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv if argv[:1] == ["conformance"] else ["ops", *argv])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
