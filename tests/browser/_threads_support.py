"""Helpers of the browser tests for threads (issue 17): the npm package with a ``dist/`` built now from
``js_runtime/src`` (so a test does not depend on the committed ``dist/`` being current), and a WSGI wrapper
that serves an app cross-origin isolated (COOP/COEP), as a page must be for ``SharedArrayBuffer``."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
ISOLATION = (("Cross-Origin-Opener-Policy", "same-origin"), ("Cross-Origin-Embedder-Policy", "require-corp"),
             ("Cross-Origin-Resource-Policy", "same-origin"))
NOT_ISOLATED = "not cross-origin isolated"  # what backendReason says without COOP/COEP (support.js)
BUILD_DIST = """
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
const { render } = await import(process.argv[1]);
for (const [file, text] of await render()) {
  mkdirSync(dirname(join(process.argv[2], file)), { recursive: true });
  writeFileSync(join(process.argv[2], file), text);
}
"""


def build_fresh_package(root: Path) -> Path:
    """Writes the npm package as published into ``root`` (package.json, the ``.wasm`` files, ``dist/`` built
    from ``js_runtime/src`` now) and returns ``root``. Skips when node is missing."""
    if shutil.which("node") is None:
        pytest.skip("node is needed to build the package's dist/")
    src = REPO / "js_runtime"
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(src / "package.json", root / "package.json")
    shutil.copytree(src / "wasm", root / "wasm", ignore=shutil.ignore_patterns("*.c", "*.h"), dirs_exist_ok=True)
    script = (src / "scripts" / "build-dist.mjs").as_uri()
    subprocess.run(["node", "--input-type=module", "-e", BUILD_DIST, script, str(root / "dist")], check=True,
                   cwd=src, timeout=120)
    assert (root / json.loads((root / "package.json").read_text())["exports"]["."]["import"]).is_file()
    return root


def isolated(app: Callable[..., Iterable[bytes]], on: bool = True) -> Callable[..., Iterable[bytes]]:
    """``app`` with COOP ``same-origin``, COEP ``require-corp`` and CORP ``same-origin`` on every response
    (``on=False``: ``app`` as it is, not cross-origin isolated)."""
    if not on:
        return app

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            names = {k.lower() for k, _ in headers}
            return start_response(status, headers + [h for h in ISOLATION if h[0].lower() not in names], exc_info)

        return app(environ, start)

    return wrapped
