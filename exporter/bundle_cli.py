"""The ``webgrad inspect`` and ``webgrad verify`` commands (added to the CLI by ``add_commands``).

    webgrad inspect BUNDLE [--json]   # signature, ops, parameters, bytes per dtype, labels, tokenizer, versions
    webgrad verify BUNDLE             # schema, versions, checksums, self-test

A bundle that cannot be used prints ``error [CODE]: message`` on stderr (CODE is the BundleError's,
the same as the JS runtime's) and exits 2, never with a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from webgrad.exporter.bundle_errors import BundleError
from webgrad.exporter.runner import load_bundle


def _shape(shape: list[int | None]) -> str:
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def _bytes(n: int) -> str:
    if n < 1024:
        return f"{n:,} B"
    return f"{n:,} B ({n / 1024:,.1f} KiB)" if n < 1024**2 else f"{n:,} B ({n / 1024**2:,.2f} MiB)"


def format_summary(s: dict[str, Any]) -> str:
    """The text ``webgrad inspect`` prints for a ``BundleRunner.inspect()`` summary."""
    producer = s["producer"]
    lines = [
        f"bundle:       {s['path']}",
        f"format:       {s['format']} v{s['formatVersion']}, op set v{s['opsetVersion']}, "
        f"written by {producer.get('name')} {producer.get('version')}",
    ]
    for kind in ("inputs", "outputs"):
        for i, t in enumerate(s["signature"][kind]):
            label = f"{kind[:-1]}:" if i == 0 else ""
            lines.append(f"{label:13} {t['name']}  {t['dtype']} {_shape(t['shape'])}")
    ops = ", ".join(f"{op} x{n}" for op, n in s["ops"].items())
    lines.append(f"graph:        {s['nodes']} nodes: {ops or 'none'}")
    lines.append(f"parameters:   {s['parameters']:,} in {s['tensors']} tensors")
    by_dtype = ", ".join(f"{k} {_bytes(v)}" for k, v in s["bytes_by_dtype"].items()) or "none"
    lines.append(f"weights:      {_bytes(s['bytes_weights'])} in {s['shards']} shard(s); stored {by_dtype}; "
                 f"float32 would take {_bytes(s['bytes_float32'])}")
    lines.append("quantization: " + ", ".join(f"{k} ({n} tensors)" for k, n in s["quantization"].items())
                 if s["quantization"] else "quantization: none")
    labels = s["labels"]
    if labels is None:
        lines.append("labels:       none")
    else:
        shown = ", ".join(map(str, labels[:10])) + (", ..." if len(labels) > 10 else "")
        lines.append(f"labels:       {len(labels)}: {shown}")
    tok = s.get("tokenizer")
    if tok is not None:
        lines.append(f"tokenizer:    {tok['file']} ({_bytes(tok['byteLength'])}): {tok['model']}, {tok['vocabSize']:,} "
                     f"ids, {tok['sequenceLength']} per text into {tok['input']!r} (pad {tok['padId']}, unknown "
                     f"{tok['unkId']}); normalizer {tok['normalizer']}, pre-tokenizer {tok['preTokenizer']}")
    lines.append(f"metadata:     {', '.join(s['metadata_keys']) or 'none'}")
    return "\n".join(lines)


EXIT_BAD_BUNDLE = 2


def report_error(err: Exception) -> int:
    """Prints ``error [CODE]: message`` on stderr (a name with unpaired surrogates, which JSON allows,
    printed escaped); returns the exit code 2."""
    message = f"error [{getattr(err, 'code', 'EFETCH')}]: {err}"
    print(message.encode("utf-8", "backslashreplace").decode("utf-8"), file=sys.stderr)
    return EXIT_BAD_BUNDLE


def cmd_inspect(args: argparse.Namespace) -> int:
    """``webgrad inspect``: prints the summary of a (validated) bundle; exit 2 with the error if invalid."""
    try:
        summary = load_bundle(args.path).inspect()
    except BundleError as e:
        return report_error(e)
    text = json.dumps(summary, indent=2) if args.json else format_summary(summary)
    print(text.encode("utf-8", "backslashreplace").decode("utf-8"))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """``webgrad verify``: validates the bundle and runs its self-test; 0 if OK, 2 with the error if not."""
    try:
        runner = load_bundle(args.path)
        error = runner.selftest()
    except BundleError as e:
        return report_error(e)
    tol = runner.bundle.manifest["selftest"]["tolerance"]
    nodes, shards = len(runner.bundle.graph.nodes), len(runner.bundle.manifest["weights"]["shards"])
    print(f"OK: {runner.path}: schema, versions and {shards} shard checksum(s) valid; {nodes} nodes; "
          f"self-test max error {error:.3g} (tolerance rtol {tol['rtol']:g}, atol {tol['atol']:g})")
    return 0


def add_commands(subparsers: Any) -> None:
    """Adds ``inspect`` and ``verify`` to the ``webgrad`` argparse subparsers."""
    i = subparsers.add_parser(
        "inspect", help="summarize a web bundle: signature, ops, parameters, sizes, labels",
        description="Validate a web bundle and summarize it: input/output signature, ops and their counts, "
                    "parameter count, bytes per stored dtype, quantization, labels, producer and versions.")
    i.add_argument("path", help="the bundle directory (the one holding model.json), or its model.json")
    i.add_argument("--json", action="store_true", help="print the summary as JSON instead of text")
    i.set_defaults(func=cmd_inspect)
    v = subparsers.add_parser(
        "verify", help="check a web bundle and run its self-test (exit 2 on any problem)",
        description="Check a web bundle: model.json against the JSON Schema, formatVersion and opsetVersion "
                    "against this webgrad, each shard's size and sha256, every tensor, op and graph edge; then "
                    "run the stored self-test on the numpy reference and compare within its tolerance. Prints "
                    "OK with the max error, or 'error [CODE]: message' and exits 2.")
    v.add_argument("path", help="the bundle directory (the one holding model.json), or its model.json")
    v.set_defaults(func=cmd_verify)
