"""Conformance of the op set's five implementations on the shared test vectors (``tests/vectors``):
per op and implementation, the largest error seen against the case's tolerance and whether every case
passed and every reject was refused.

numpy and jax run here, in Python; js, wasm and webgpu run in Node.js through the npm CLI
(``node js_runtime/bin/webgrad.js conformance --json``), which reports the same cells. An
implementation that cannot run here (JAX not installed, no ``node``, no WebGPU adapter) is listed in
``unavailable`` with the reason.

>>> r = conformance(implementations=("numpy",), ops=["Relu"])
>>> r.cells["numpy"]["Relu"].status
'pass'
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from webgrad.exporter.coverage import IMPLEMENTATIONS, ROOT
from webgrad.exporter.opset import op_names
from webgrad.exporter.tensor_codec import decode
from webgrad.exporter.vectors import DEFAULT_DIR
from webgrad.raw_ops import REGISTRY
from webgrad.raw_ops.registry import ShapeError

NODE_CLI = "js_runtime/bin/webgrad.js"
JS_IMPLEMENTATIONS = ("js", "wasm", "webgpu")


@dataclass
class Result:
    """One op on one implementation: ``status`` is pass, fail, error or skip; ``max_abs`` the largest
    |got - want| over finite elements, ``worst`` the largest |got - want| / (atol + rtol |want|)."""

    status: str = "pass"
    cases: int = 0
    rejects: int = 0
    max_abs: float = 0.0
    worst: float = 0.0
    message: str = ""


@dataclass
class Report:
    """The op x implementation matrix: ``cells[implementation][op]``."""

    ops: list[str]
    implementations: list[str]
    cells: dict[str, dict[str, Result]] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No case failed and nothing raised (skips and unavailable implementations do not count)."""
        return all(r.status in ("pass", "skip") for cells in self.cells.values() for r in cells.values())

    def to_json(self) -> dict[str, Any]:
        """The report as plain JSON data."""
        return {"ops": self.ops, "implementations": self.implementations, "unavailable": self.unavailable,
                "cells": {i: {op: asdict(r) for op, r in c.items()} for i, c in self.cells.items()}}


def compare(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> tuple[bool, float, float, int]:
    """``(ok, max_abs, worst, at)``: the rule of the vectors (NaN must be NaN, an infinity the same
    infinity, integers exact), with the largest absolute error over finite elements, the largest share
    of the tolerance used, and the flat index of the worst element.

    >>> compare(np.array([1.0, np.nan]), np.array([1.0001, np.nan]), 0.0, 1e-3)[0]
    True
    """
    g = np.asarray(got, np.float64).ravel()
    w = np.asarray(want, np.float64).ravel()
    if g.shape != w.shape:
        return False, float("inf"), float("inf"), 0
    finite = np.isfinite(w)
    with np.errstate(invalid="ignore"):
        diff = np.abs(g - w)
        bound = atol + rtol * np.abs(w)
        ratio = np.where(bound > 0, diff / np.where(bound > 0, bound, 1), np.where(diff > 0, np.inf, 0.0))
        ratio = np.where(np.isnan(diff), np.inf, ratio)
        same_special = (g == w) | (np.isnan(g) & np.isnan(w))
    ratio = np.where(finite, ratio, np.where(same_special, 0.0, np.inf))
    fin = diff[finite]
    max_abs = float(np.max(np.where(np.isnan(fin), np.inf, fin))) if fin.size else 0.0
    at = int(np.argmax(ratio)) if ratio.size else -1
    worst = float(ratio[at]) if ratio.size else 0.0
    return worst <= 1, max_abs, worst, at


def read_vectors(directory: Path = DEFAULT_DIR, ops: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The vector files in ``directory`` (only ``ops`` when given), in op-set order.

    >>> [d["op"] for d in read_vectors(ops=["Add", "Relu"])]
    ['Add', 'Relu']
    """
    wanted = [op for op in op_names() if ops is None or op in ops]
    return [json.loads((directory / f"{op}.json").read_text(encoding="utf-8"))
            for op in wanted if (directory / f"{op}.json").is_file()]


Runner = Callable[[str, list[Any], dict[str, Any]], np.ndarray]


def _python_runner(implementation: str) -> tuple[Runner | None, str]:
    """The function that runs an op on ``implementation`` (numpy or jax), or None and why not."""
    if implementation == "numpy":
        return (lambda op, inputs, attrs: np.asarray(REGISTRY[op].forward(inputs, attrs))), ""
    try:
        import jax.numpy as jnp

        from webgrad.backends import jax_ops
    except ImportError as e:
        return None, f'not installed (pip install "webgrad[jax]"): {e}'

    def run(op: str, inputs: list[Any], attrs: dict[str, Any]) -> np.ndarray:
        return np.asarray(jax_ops.lowering(op)([None if x is None else jnp.asarray(x) for x in inputs], attrs))

    return run, ""


def run_python(implementation: str, docs: Sequence[dict[str, Any]]) -> tuple[dict[str, Result], str]:
    """Runs the vector documents on numpy or jax: the cells by op, or ``({}, reason)`` when it cannot run.

    >>> cells, why = run_python("numpy", read_vectors(ops=["ArgMax"]))
    >>> (cells["ArgMax"].status, cells["ArgMax"].rejects)
    ('pass', 2)
    """
    run, why = _python_runner(implementation)
    if run is None:
        return {}, why
    cells: dict[str, Result] = {}
    with np.errstate(all="ignore"):  # the special-value cases overflow and divide by zero on purpose
        for doc in docs:
            cells[doc["op"]] = _run_doc(run, doc, ShapeError)
    return cells, ""


def _run_doc(run: Runner, doc: dict[str, Any], shape_error: type[Exception]) -> Result:
    """One vector document on one Python implementation: its cases, then its rejects."""
    op, cell = doc["op"], Result()
    for c in doc["cases"]:
        want = decode(c["expected"][0])
        try:
            got = run(op, [None if t is None else decode(t) for t in c["inputs"]], c["attrs"])
        except Exception as e:  # any failure of an implementation is its cell's error
            cell.status, cell.message = "error", f"{c['name']}: {type(e).__name__}: {e}"
            break
        tol = (0.0, 0.0) if want.dtype.kind in "iu" else (c["tolerance"]["rtol"], c["tolerance"]["atol"])
        cell.cases += 1
        if got.shape != want.shape:
            ok, max_abs, worst, at = False, float("inf"), float("inf"), 0
            wrong = f"shape {list(got.shape)}, want {list(want.shape)}"
        else:
            ok, max_abs, worst, at = compare(got, want, *tol)
            wrong = (f"element {at}: got {got.ravel()[at] if at >= 0 else None}, want "
                     f"{want.ravel()[at] if at >= 0 else None} (tolerance rtol={tol[0]}, atol={tol[1]})")
        cell.max_abs, cell.worst = max(cell.max_abs, max_abs), max(cell.worst, worst)
        if not ok and cell.status == "pass":
            cell.status, cell.message = "fail", f"{c['name']}: {wrong}"
    for r in doc.get("rejects", []):
        cell.rejects += 1
        expected = {"ESHAPE": shape_error}.get(r["error"], shape_error)
        try:
            run(op, [None if t is None else decode(t) for t in r["inputs"]], r["attrs"])
            wrong = f"expected {expected.__name__} ({r['error']}), but it ran"
        except expected:
            wrong = ""
        except Exception as e:  # a different error is a failed reject
            wrong = f"expected {expected.__name__} ({r['error']}), got {type(e).__name__}: {e}"
        if wrong and cell.status == "pass":
            cell.status, cell.message = "fail", f"{r['name']} (a reject): {wrong}"
    return cell


def run_node(directory: Path, backends: Sequence[str], ops: Sequence[str] | None = None,
             root: Path = ROOT) -> tuple[dict[str, dict[str, Result]], dict[str, str]]:
    """Runs the vectors on the JS backends through the npm CLI: ``(cells, unavailable)``.

    webgpu runs only where the ``webgpu`` npm package is installed and finds an adapter; otherwise it is
    unavailable, with the reason the CLI gives.
    """
    if not backends:
        return {}, {}
    if shutil.which("node") is None or not (root / NODE_CLI).is_file():
        why = "no node on PATH" if shutil.which("node") is None else f"{NODE_CLI} not found (not a repository checkout)"
        return {}, dict.fromkeys(backends, why)
    with tempfile.TemporaryDirectory(prefix="webgrad-vectors-") as tmp:
        source = directory
        if ops is not None:  # only these ops' files, so the run is short
            source = Path(tmp)
            for op in ops:
                if (directory / f"{op}.json").is_file():
                    (source / f"{op}.json").write_bytes((directory / f"{op}.json").read_bytes())
        proc = subprocess.run(["node", str(root / NODE_CLI), "conformance", "--vectors", str(source),
                               "--backend", ",".join(backends), "--json"],
                              capture_output=True, text=True, cwd=root, timeout=600, check=False)
    line = next((ln for ln in reversed(proc.stdout.splitlines()) if ln.startswith("{")), None)
    if line is None:  # the run itself broke: an error in every cell, not an implementation that is absent
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        why = f"node {NODE_CLI} conformance exited {proc.returncode}: {last}"
        names = ops if ops is not None else [op for op in op_names() if (directory / f"{op}.json").is_file()]
        return {b: {op: Result(status="error", message=why) for op in names} for b in backends}, {}
    matrix = json.loads(line)
    cells = {b: {op: Result(status=c["status"], cases=c["cases"], rejects=c.get("rejects", 0), max_abs=c["maxAbs"],
                            worst=c["worst"], message=c.get("message", ""))
                 for op, c in matrix["cells"].get(b, {}).items()} for b in backends}
    return cells, dict(matrix.get("unavailable", {}))


def conformance(directory: Path = DEFAULT_DIR, implementations: Sequence[str] = IMPLEMENTATIONS,
                ops: Sequence[str] | None = None, root: Path = ROOT) -> Report:
    """The op x implementation report over the vectors in ``directory`` (only ``ops`` when given).

    >>> conformance(implementations=("numpy",), ops=["Add"]).ok
    True
    """
    unknown = [i for i in implementations if i not in IMPLEMENTATIONS]
    if unknown:
        raise ValueError(f"unknown implementation(s) {unknown}; known: {', '.join(IMPLEMENTATIONS)}")
    docs = read_vectors(directory, ops)
    if not docs:
        raise FileNotFoundError(f"no vector files for {list(ops) if ops else 'the op set'} in {directory}")
    report = Report(ops=[d["op"] for d in docs], implementations=list(implementations))
    for impl in implementations:
        if impl in ("numpy", "jax"):
            report.cells[impl], why = run_python(impl, docs)
            if why:
                report.unavailable[impl] = why
    js_cells, js_unavailable = run_node(directory, [i for i in implementations if i in JS_IMPLEMENTATIONS],
                                        ops, root)
    report.cells.update(js_cells)
    report.unavailable.update(js_unavailable)
    return report


def format_cell(r: Result | None) -> str:
    """A cell as the npm CLI prints it: max abs error and share of the tolerance used, ✗ for a failure.

    >>> format_cell(Result(max_abs=2.4e-7, worst=0.031))
    '2.4e-07 (3% tol)'
    """
    if r is None or r.status == "skip":
        return "—"
    if r.status == "error":
        return "error"
    # exact ops (tolerance 0) use an infinite share of it on any difference
    share = "<1" if r.worst < 0.01 else str(round(r.worst * 100)) if np.isfinite(r.worst) else "inf"
    text = "0" if r.max_abs == 0 else f"{r.max_abs:.1e} ({share}% tol)"
    return text if r.status == "pass" else f"✗ {text}"


def format_report(report: Report) -> str:
    """The report as a markdown table, then a line per unavailable implementation and per failure.

    >>> print(format_report(conformance(implementations=("numpy",), ops=["Relu"])))
    | op | numpy |
    | --- | --- |
    | Relu | 0 |
    """
    impls = report.implementations
    lines = [f"| op | {' | '.join(impls)} |", f"| --- | {' | '.join('---' for _ in impls)} |"]
    for op in report.ops:
        row = [("n/a" if i in report.unavailable else format_cell(report.cells.get(i, {}).get(op))) for i in impls]
        lines.append(f"| {op} | {' | '.join(row)} |")
    notes = [f"{i}: not run: {report.unavailable[i]}" for i in impls if i in report.unavailable]
    for i in impls:
        for op in report.ops:
            r = report.cells.get(i, {}).get(op)
            if r is not None and r.status != "pass":
                notes.append(f"{i} {op} ({r.status}): {r.message}")
    return "\n".join(lines + (["", *notes] if notes else []))
