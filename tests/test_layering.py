"""The Python package's import structure (docs/architecture.md): no import cycle between webgrad's modules
at module top level, every module importable on its own with warnings as errors, and ``python -m`` on a
package module without the RuntimeWarning an eager facade caused. The layers themselves are checked by
import-linter (``bash scripts/lint_imports.sh``, contracts in pyproject.toml)."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# package name -> its folder (pyproject's package-dir joins the two folders into one package)
PACKAGES = {"webgrad": ROOT / "authoring", "webgrad.exporter": ROOT / "exporter"}
HAVE_JAX = importlib.util.find_spec("jax") is not None


def module_files(packages: dict[str, Path]) -> dict[str, Path]:
    """Module name -> file for every ``.py`` under each package folder (subpackages included)."""
    found = {}
    for package, folder in packages.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


def _top_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported: module body, and inside top-level if/try/with
    blocks, but not under ``if TYPE_CHECKING:`` and not inside functions or classes' methods."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.append(node)
            elif isinstance(node, ast.If):
                if "TYPE_CHECKING" not in ast.unparse(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                    visit(block)
            elif isinstance(node, ast.With | ast.ClassDef):
                visit(node.body)

    visit(tree.body)
    return found


def import_graph(packages: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the package modules it imports at module top level. ``from a import b`` counts as an
    import of ``a`` and, when ``a.b`` is a module, of ``a.b`` (``a`` runs first, and a cycle through
    ``a/__init__`` works only while no one reads a name that ``a`` defines itself: the eager facade's
    18-module knot was such a cycle). Importing ``a.b.c`` also runs ``a`` and ``a.b`` (their
    ``__init__``), so those count too, except a package the importer is inside of: Python started that
    one before the importer."""
    files = module_files(packages)
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _top_level_imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [base, *(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in files)]
            for target in targets:
                parts = target.split(".")
                for i in range(1, len(parts) + 1):
                    prefix = ".".join(parts[:i])
                    implicit_own_package = i < len(parts) and name.startswith(prefix + ".")
                    if prefix in files and prefix != name and not implicit_own_package:
                        graph[name].add(prefix)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as ``[a, b, ..., a]``, or None when the graph is acyclic."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_in_a_small_package(tmp_path):
    """Self-check: the same code finds a real cycle (a -> b -> c -> a, through a package ``__init__``
    and relative imports), ignores imports inside functions and under TYPE_CHECKING, and passes once
    the cycle is gone."""
    pkg = tmp_path / "cyc"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from cyc.sub import b\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("from .. import c\n")
    (pkg / "c.py").write_text(textwrap.dedent("""\
        from typing import TYPE_CHECKING
        import cyc.a
        if TYPE_CHECKING:
            from cyc import d
        def late():
            from cyc import d
        """))
    (pkg / "d.py").write_text("import cyc.c\n")
    (pkg / "sub" / "e.py").write_text("import cyc.a\n")  # runs cyc.sub's __init__ first: no cycle of its own
    cycle = find_cycle(import_graph({"cyc": pkg}))
    assert cycle is not None and set(cycle) == {"cyc.a", "cyc.sub.b", "cyc.c"}, cycle
    (pkg / "c.py").write_text("def late():\n    import cyc.a\n")
    assert find_cycle(import_graph({"cyc": pkg})) is None
    # a package's __init__ importing a submodule that imports a name from that package is a cycle
    (pkg / "sub" / "__init__.py").write_text("from .e import x\ny = 2\n")
    (pkg / "sub" / "e.py").write_text("from cyc.sub import y\nx = 1\n")
    assert find_cycle(import_graph({"cyc": pkg})) == ["cyc.sub", "cyc.sub.e", "cyc.sub"]


def test_no_import_cycle_at_module_top_level():
    graph = import_graph(PACKAGES)
    assert {"webgrad.exporter.graph", "webgrad.raw_ops", "webgrad.model"} <= set(graph)  # both folders were read
    assert "webgrad.exporter.opset" in graph["webgrad.raw_ops"]
    assert find_cycle(graph) is None, "import cycle: " + " -> ".join(find_cycle(graph) or [])


def test_the_facade_imports_nothing_at_module_top_level():
    """``webgrad/__init__`` names everything lazily, so no module can reach another through it."""
    assert import_graph(PACKAGES)["webgrad"] == set()


def _importable(name: str) -> bool:
    return HAVE_JAX or not name.startswith(("webgrad.backends.jax", "webgrad.backends.sharding"))


def test_every_module_imports_with_warnings_as_errors():
    """Every module in one fresh interpreter with -W error (a DeprecationWarning or an import that only
    worked because a test had imported something first fails here); the JAX backend's modules only
    where the jax extra is installed. Cycles are the AST test's job: it sees them whatever the order."""
    names = [n for n in module_files(PACKAGES) if _importable(n)]
    code = "import importlib, sys\nfor n in sys.argv[1:]:\n    importlib.import_module(n)\nprint(len(sys.argv) - 1)"
    r = subprocess.run([sys.executable, "-W", "error", "-c", code, *names], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout) == len(names) > 100


def test_import_webgrad_loads_no_other_module_and_every_public_name_resolves():
    code = textwrap.dedent("""\
        import sys, webgrad
        loaded = sorted(m for m in sys.modules if m.startswith("webgrad."))
        assert loaded == [], loaded
        import webgrad as wg
        assert wg.layers.Dense and wg.export and wg.Sequential and wg.models.Model is wg.Model
        from webgrad import *  # noqa: F403
        assert set(webgrad.__all__) <= set(dir(webgrad))
        import webgrad.exporter as e
        for name in e.__all__:
            getattr(e, name)
        for name in webgrad.__all__:
            exec(f"from webgrad import {name}")
        print("ok")
        """)
    r = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stdout + r.stderr


def test_unknown_facade_names_raise_attribute_error():
    import webgrad
    import webgrad.exporter

    with pytest.raises(AttributeError, match="has no attribute 'Densee'"):
        _ = webgrad.Densee
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = webgrad.exporter.nope


def test_vectors_check_runs_as_main_without_runtime_warning():
    """``python -m webgrad.exporter.vectors`` used to warn that the module was in sys.modules before it
    ran (the eager facade had imported it)."""
    r = subprocess.run([sys.executable, "-W", "error", "-m", "webgrad.exporter.vectors", "--check"],
                       capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert "RuntimeWarning" not in r.stderr, r.stderr
    assert r.returncode == 0, r.stdout + r.stderr
    assert "are current" in r.stdout
