"""Runs a Keras-style script under ``keras`` (JAX backend) or under ``webgrad``, changing only its
import lines, and returns what it printed after ``RESULT``.

``python3 examples/keras_scripts/run.py [--library keras|webgrad|both] [SCRIPT ...]`` prints one line per
script; ``benchmarks/keras_scripts.py`` prints the side-by-side table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = sorted(p.name for p in HERE.glob("[a-z]*.py") if p.name != "run.py")

# The only edits a user makes to move a script from Keras to webgrad.
_IMPORT_LINES = [
    (re.compile(r"^import keras$", re.M), "import webgrad as keras"),
    (re.compile(r"^from keras import ", re.M), "from webgrad import "),
]


@dataclass
class Outcome:
    script: str
    library: str
    ok: bool
    result: dict
    error: str
    seconds: float


def webgrad_source(source: str) -> str:
    """The script with its import lines pointed at webgrad, and nothing else changed."""
    for pattern, replacement in _IMPORT_LINES:
        source = pattern.sub(replacement, source)
    return source


def run(script: str, library: str, timeout: float = 600) -> Outcome:
    """Runs ``script`` (a file name in this folder) under ``library`` in a fresh interpreter."""
    source = (HERE / script).read_text(encoding="utf-8")
    if library == "webgrad":
        source = webgrad_source(source)
    elif library != "keras":
        raise ValueError(f"library must be 'keras' or 'webgrad', got {library!r}")
    env = {**os.environ, "KERAS_BACKEND": "jax", "PYTHONPATH": f"{HERE}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "JAX_PLATFORMS": os.environ.get("JAX_PLATFORMS", "cpu"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / script
        path.write_text(source, encoding="utf-8")
        t0 = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=env,
                                  timeout=timeout, cwd=tmp)
        except subprocess.TimeoutExpired:
            return Outcome(script, library, False, {}, f"timed out after {timeout} s", time.perf_counter() - t0)
        seconds = time.perf_counter() - t0
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return Outcome(script, library, False, {}, tail, seconds)
    return Outcome(script, library, True, json.loads(lines[-1][len("RESULT "):]), "", seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="*", default=SCRIPTS)
    parser.add_argument("--library", choices=["keras", "webgrad", "both"], default="both")
    args = parser.parse_args()
    libraries = ["keras", "webgrad"] if args.library == "both" else [args.library]
    for script in args.scripts:
        for library in libraries:
            o = run(script, library)
            status = json.dumps(o.result) if o.ok else f"FAILED: {o.error}"
            print(f"{script:28s} {library:8s} {o.seconds:6.1f}s {status}", flush=True)


if __name__ == "__main__":
    main()
