"""The npm package ``webgrad`` as a browser gets it from the package: exactly the files its
``package.json`` publishes (``files``, plus package.json and README), and the browser entry point
resolved from ``exports['.']`` the way a bundler does (condition ``browser``, then ``import``, then
``default``), so the page keeps working when the entry moves (e.g. from ``src/`` to a bundled ``dist/``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONDITIONS = ("browser", "import", "module", "default")
ALWAYS_PUBLISHED = ("package.json", "README.md", "LICENSE")


class PackageError(RuntimeError):
    """The package directory cannot be served (no package.json, no resolvable entry)."""


def resolve_export(target: Any) -> str | None:
    """The path an ``exports`` target resolves to under the browser conditions, or None.

    >>> resolve_export({"types": "./t.d.ts", "import": "./src/index.js"})
    './src/index.js'
    >>> resolve_export({"node": "./n.js", "browser": {"import": "./b.mjs"}, "default": "./d.js"})
    './b.mjs'
    """
    if isinstance(target, str):
        return target
    if isinstance(target, list):
        return next((r for r in map(resolve_export, target) if r), None)
    if isinstance(target, dict):
        for condition in CONDITIONS:
            if condition in target:
                found = resolve_export(target[condition])
                if found:
                    return found
    return None


def _entry(manifest: dict[str, Any]) -> str:
    """The browser entry of a package.json: ``exports['.']`` (or a bare ``exports``), else ``browser``/
    ``module``/``main`` fields."""
    exports = manifest.get("exports")
    if isinstance(exports, dict) and any(k.startswith(".") for k in exports):
        exports = exports.get(".")
    found = resolve_export(exports) if exports is not None else None
    if not found:
        browser = manifest.get("browser")
        found = browser if isinstance(browser, str) else manifest.get("module") or manifest.get("main")
    if not isinstance(found, str) or not found:
        raise PackageError("package.json has no entry point (exports['.'], module or main)")
    return found.removeprefix("./")


@dataclass
class NpmPackage:
    """A package directory: its name, version, browser entry and the set of published files."""

    root: Path
    name: str
    version: str
    entry: str
    files: frozenset[str]

    @classmethod
    def load(cls, root: Path) -> NpmPackage:
        """Reads ``root/package.json``; raises PackageError if it is missing or has no usable entry."""
        root = Path(root).resolve()
        try:
            manifest = json.loads((root / "package.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise PackageError(f"{root}/package.json: cannot read: {e}") from e
        files = _published(root, manifest.get("files"))
        entry = _entry(manifest)
        if entry not in files:
            raise PackageError(f"{root}: the entry {entry} is not among the published files (package.json 'files')")
        return cls(root, str(manifest.get("name", "")), str(manifest.get("version", "")), entry, files)

    def path_of(self, rel: str) -> Path | None:
        """The file for URL path ``rel`` if the package publishes it, else None (no other file is reachable)."""
        return self.root / rel if rel in self.files else None


def _published(root: Path, patterns: Any) -> frozenset[str]:
    """Relative paths of the files npm would publish: the ``files`` globs (a directory means all of
    it; ``!`` negates) or, without ``files``, everything but node_modules; always package.json/README."""
    def under(p: Path) -> list[Path]:
        return [f for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file()]

    chosen: set[Path] = set()
    for pattern in patterns if isinstance(patterns, list) else ["**"]:
        negate = pattern.startswith("!")
        glob = pattern.removeprefix("!").removeprefix("./").rstrip("/")
        matched = {f for p in root.glob(glob) for f in under(p)} if glob else set()
        chosen = chosen - matched if negate else chosen | matched
    chosen |= {root / n for n in ALWAYS_PUBLISHED if (root / n).is_file()}
    out = set()
    for f in chosen:
        rel = f.resolve().relative_to(root) if f.resolve().is_relative_to(root) else None
        if rel is not None and "node_modules" not in rel.parts:
            out.add(rel.as_posix())
    return frozenset(out)
