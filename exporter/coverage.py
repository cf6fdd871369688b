"""The coverage table (``exporter/coverage.json``): where each op of the op set is implemented, per
implementation (numpy, jax, js, wasm, webgpu), and the check that the table and the code agree.

A cell is the list of the op's files (repository paths), ``{"alias": reason}`` (the op runs without a
kernel of its own: the executor plans it as a view), or ``{"excluded": reason}`` (not implemented yet).
:func:`check` compares the table with what :func:`observe` finds in the code: the numpy registry, the
JAX lowerings, the js backend's kernels, the wasm build's ``wg_<Op>`` exports and its glue's kernel
table, the WebGPU programs and shader keys, and the files on disk; every disagreement is a
:class:`Problem` naming the op and the implementation.

>>> from webgrad.exporter.coverage import load_table, cell
>>> cell(load_table(), "Conv2D", "js").files
('js_runtime/src/backends/js/kernels/Conv2D.js',)
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webgrad.exporter.opset import grad_op_names, op_names
from webgrad.raw_ops import REGISTRY
from webgrad.raw_ops.grad import GRAD_REGISTRY

IMPLEMENTATIONS = ("numpy", "jax", "js", "wasm", "webgpu")
TABLE_PATH = Path(__file__).with_name("coverage.json")
# The repository checkout this module lives in (exporter/ is at its top level).
ROOT = Path(__file__).resolve().parent.parent
WASM_BUILD = "js_runtime/wasm/webgrad-simd.wasm"
EXECUTOR = "js_runtime/src/executor.js"

# Per implementation, the files that count as "an op's own file" (a stray one not in the table is a
# problem): helpers start with "_" or are lower case, op files are named after the op.
OP_FILE_GLOBS: dict[str, tuple[tuple[str, str], ...]] = {
    "numpy": (("authoring/raw_ops", "[a-z]*.py"),),
    "jax": (("authoring/backends/jax_ops", "[a-z]*.py"),),
    "js": (("js_runtime/src/backends/js/kernels", "[A-Z]*.js"),),
    "wasm": (("wasm_kernels/src", "[A-Z]*.c"),),
    "webgpu": (("webgpu_shaders", "[A-Z]*.wgsl.j2"), ("js_runtime/src/backends/webgpu/programs", "[A-Z]*.js")),
}
# The same for the gradient ops (the op set's gradOps), whose files sit in a grad/ folder of their own.
GRAD_FILE_GLOBS: dict[str, tuple[tuple[str, str], ...]] = {
    "numpy": (("authoring/raw_ops/grad", "[a-z]*.py"),),
    "js": (("js_runtime/src/backends/js/kernels/grad", "[A-Z]*.js"),),
    "wasm": (("wasm_kernels/src/grad", "[A-Z]*.c"),),
}
NOT_OP_FILES = {"authoring/raw_ops/registry.py", "authoring/raw_ops/grad/registry.py"}


class CoverageError(ValueError):
    """The coverage table is malformed (not a disagreement with the code: see :class:`Problem`)."""


@dataclass(frozen=True)
class Cell:
    """One op on one implementation: its files, or why it has none."""

    op: str
    implementation: str
    files: tuple[str, ...] = ()
    alias: str | None = None
    excluded: str | None = None

    @property
    def has_kernel(self) -> bool:
        """True when the op has files of its own here (a registered kernel, lowering or program)."""
        return bool(self.files)

    def describe(self) -> str:
        """The files, or the reason there are none, on one line."""
        if self.files:
            return ", ".join(self.files)
        return f"alias: {self.alias}" if self.alias else f"excluded: {self.excluded}"


@dataclass(frozen=True)
class Problem:
    """A disagreement between the table and the code, for one op (or stray file) and implementation."""

    op: str
    implementation: str
    message: str

    def __str__(self) -> str:
        return f"{self.op}/{self.implementation}: {self.message}"


@dataclass
class Observed:
    """What the code has, per implementation: op names with a registered kernel (None: not looked at,
    with the reason in ``skipped``)."""

    numpy: set[str]
    jax: set[str]
    js: set[str] | None
    wasm_exports: set[str]
    wasm_glue: set[str] | None
    webgpu_programs: set[str] | None
    webgpu_shaders: set[str]
    alias_ops: set[str]
    skipped: dict[str, str]


def snake(name: str) -> str:
    """The module name of op ``name``.

    >>> [snake(n) for n in ("MatMul", "MaxPool2D", "Relu6", "LogSoftmax", "Conv2DBackpropInput")]
    ['matmul', 'max_pool2d', 'relu6', 'log_softmax', 'conv2d_backprop_input']
    """
    return "matmul" if name == "MatMul" else re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=2D)(?=[A-Z])", "_", name).lower()


def load_table(path: Path = TABLE_PATH) -> dict[str, Any]:
    """The coverage table, parsed and checked for form (every op of the op set, five cells each).

    >>> sorted(load_table()["implementations"]) == sorted(IMPLEMENTATIONS)
    True
    """
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise CoverageError(f"{path}: cannot read the coverage table: {e}") from e
    if table.get("format") != "webgrad-coverage" or set(table.get("implementations", {})) != set(IMPLEMENTATIONS):
        raise CoverageError(f"{path}: not a coverage table with the implementations {', '.join(IMPLEMENTATIONS)}")
    if set(table.get("gradLayout", {})) - {"doc"} != set(IMPLEMENTATIONS):
        want = ', '.join(IMPLEMENTATIONS)
        raise CoverageError(f"{path}: gradLayout must give the gradient ops' file names for {want}")
    for op, row in [*table.get("ops", {}).items(), *table.get("gradOps", {}).items()]:
        for impl in IMPLEMENTATIONS:
            cell(table, op, impl)  # raises on a malformed cell
        extra = set(row) - set(IMPLEMENTATIONS)
        if extra:
            raise CoverageError(f"{path}: op {op} has unknown implementations {sorted(extra)}")
    return table


def cell(table: Mapping[str, Any], op: str, implementation: str) -> Cell:
    """The cell of ``op`` on ``implementation``.

    >>> cell(load_table(), "Reshape", "webgpu").alias is not None
    True
    """
    row = table["ops"].get(op) or table.get("gradOps", {}).get(op, {})
    raw = row.get(implementation)
    if isinstance(raw, list) and raw and all(isinstance(p, str) and p for p in raw):
        return Cell(op, implementation, files=tuple(raw))
    if isinstance(raw, dict) and len(raw) == 1:
        (kind, reason), = raw.items()
        if kind in ("alias", "excluded") and isinstance(reason, str) and reason.strip():
            return Cell(op, implementation, **{kind: reason})
    raise CoverageError(f"coverage table: {op}/{implementation} must be a non-empty list of files, "
                        f'{{"alias": reason}} or {{"excluded": reason}}; got {raw!r}')


def layout_files(table: Mapping[str, Any], op: str, implementation: str) -> list[str]:
    """The paths the implementation's layout gives ``op`` (its one-file-per-op names).

    >>> layout_files(load_table(), "MaxPool2D", "numpy")
    ['authoring/raw_ops/max_pool2d.py']
    >>> layout_files(load_table(), "MaxPool2DGrad", "wasm")
    ['wasm_kernels/src/grad/MaxPool2DGrad.c']
    """
    layout = (
        table["gradLayout"][implementation] if op in table.get("gradOps", {})
        else table["implementations"][implementation]["layout"]
    )
    return [p.format(op=op, snake=snake(op)) for p in layout]


def check(table: Mapping[str, Any], observed: Observed, root: Path = ROOT) -> list[Problem]:
    """Every disagreement between ``table`` and the code (``observed`` and the files under ``root``).

    >>> problems = check(load_table(), observe(node=False))
    >>> all(p.implementation in (*IMPLEMENTATIONS, "*") for p in problems)
    True
    """
    problems: list[Problem] = []
    ops = op_names()
    for op in sorted(set(table["ops"]) - set(ops)):
        problems.append(Problem(op, "*", "in the coverage table but not in the op set"))
    for op in ops:
        if op not in table["ops"]:
            problems.append(Problem(op, "*", "op of the op set missing from exporter/coverage.json"))
            continue
        for impl in IMPLEMENTATIONS:
            problems += _check_files(table, cell(table, op, impl), root)
    grads, grad_rows = grad_op_names(), table.get("gradOps", {})
    for op in sorted(set(grad_rows) - set(grads)):
        problems.append(Problem(op, "*", "in the coverage table's gradOps but not a gradient op of the op set"))
    for op in grads:
        if op not in grad_rows:
            problems.append(Problem(op, "*", "gradient op of the op set missing from exporter/coverage.json gradOps"))
            continue
        for impl in IMPLEMENTATIONS:
            problems += _check_files(table, cell(table, op, impl), root)
    # One registry per backend holds both kinds (TRAIN.md: grad kernels registered under their names).
    listed = {op for op in ops if op in table["ops"]} | {op for op in grads if op in grad_rows}
    with_kernel = {impl: {op for op in listed if cell(table, op, impl).has_kernel} for impl in IMPLEMENTATIONS}
    aliases = {impl: {op for op in listed if cell(table, op, impl).alias} for impl in IMPLEMENTATIONS}
    registries: list[tuple[str, set[str] | None, str]] = [
        ("numpy", observed.numpy, "the numpy registry (authoring/raw_ops/registry.py REGISTRY; grad/ GRAD_REGISTRY)"),
        ("jax", observed.jax, "the JAX lowerings (authoring/backends/jax_ops LOWERINGS)"),
        ("js", observed.js, "the js backend's KERNELS (js_runtime/src/backends/js/kernels/index.js)"),
        ("wasm", observed.wasm_exports, f"the wg_<Op> exports of {WASM_BUILD}"),
        ("wasm", observed.wasm_glue, "the wasm glue's kernel table (js_runtime/src/backends/wasm/kernels/)"),
        ("webgpu", observed.webgpu_programs, "the WebGPU PROGRAMS (js_runtime/src/backends/webgpu/programs/index.js)"),
        ("webgpu", observed.webgpu_shaders, "the shader keys of js_runtime/src/backends/webgpu/shaders.generated.js"),
    ]
    for impl, found, where in registries:
        if found is not None:
            problems += _check_registry(impl, with_kernel[impl], found, where)
    for impl in IMPLEMENTATIONS:
        for op in sorted(aliases[impl] - observed.alias_ops):
            problems.append(Problem(op, impl, f"listed as an alias, but the executor's ALIAS_OPS ({EXECUTOR}) "
                                              f"does not plan it as a view"))
    problems += _stray_files(table, root)
    return problems


def _check_files(table: Mapping[str, Any], c: Cell, root: Path) -> list[Problem]:
    out = [Problem(c.op, c.implementation, f"{path} does not exist") for path in c.files if not (root / path).is_file()]
    if c.files:
        for path in layout_files(table, c.op, c.implementation):
            if path not in c.files:
                out.append(Problem(c.op, c.implementation, f"the files must include {path} (one file per op, "
                                                            f"named as the layout says)"))
    if c.implementation == "wasm" and c.files:
        # the kernel's C file defines its export: the name is findable by grep
        own = root / layout_files(table, c.op, "wasm")[0]
        if own.is_file() and f"wg_{c.op}" not in own.read_text(encoding="utf-8"):
            out.append(Problem(c.op, "wasm", f"{own.relative_to(root)} does not define wg_{c.op}"))
    return out


def _check_registry(impl: str, expected: set[str], found: set[str], where: str) -> list[Problem]:
    out = [Problem(op, impl, f"the table lists its files, but it is not in {where}") for op in sorted(expected - found)]
    out += [Problem(op, impl, f"in {where}, but the table lists no file for it") for op in sorted(found - expected)]
    return out


def _stray_files(table: Mapping[str, Any], root: Path) -> list[Problem]:
    out = []
    rows = [*table["ops"], *table.get("gradOps", {})]
    for impl, globs in [*OP_FILE_GLOBS.items(), *GRAD_FILE_GLOBS.items()]:
        listed = {p for op in rows for p in cell(table, op, impl).files}
        for folder, pattern in globs:
            for path in sorted((root / folder).glob(pattern)):
                rel = path.relative_to(root).as_posix()
                if rel not in listed and rel not in NOT_OP_FILES:
                    name = path.name.split(".")[0]
                    out.append(Problem(name, impl, f"{rel} is in no cell of the coverage table (an op's code "
                                                   f"lives in the files its cell lists)"))
    return out


def observe(root: Path = ROOT, *, node: bool = True) -> Observed:
    """What the code at ``root`` implements. The JS registries need Node.js (``node=False`` or no
    ``node`` on PATH leaves them unchecked, said in ``skipped``); the JAX lowerings are read from
    their ``register("Op", ...)`` calls when JAX is not installed.

    >>> "Conv2D" in observe(node=False).wasm_exports
    True
    """
    skipped: dict[str, str] = {}
    js = _node_registries(root) if node and shutil.which("node") else None
    if js is None:
        skipped["js registries"] = "Node.js not used" if not node else "no node on PATH"
    return Observed(
        numpy=_numpy_registry(),
        jax=_jax_registry(root),
        js=None if js is None else set(js["js"]),
        wasm_exports=wasm_exports(root / WASM_BUILD),
        wasm_glue=None if js is None else set(js["wasm"]),
        webgpu_programs=None if js is None else set(js["webgpuPrograms"]),
        webgpu_shaders=shader_ops(root / "js_runtime/src/backends/webgpu/shaders.generated.js"),
        alias_ops=set(js["alias"]) if js is not None else _alias_ops_from_source(root / EXECUTOR),
        skipped=skipped,
    )


def _numpy_registry() -> set[str]:
    return set(REGISTRY) | set(GRAD_REGISTRY)


def _jax_registry(root: Path) -> set[str]:
    try:
        from webgrad.backends import jax_ops
    except ImportError:  # JAX is optional: its lowerings register themselves by a literal call
        found: set[str] = set()
        for path in (root / "authoring/backends/jax_ops").glob("*.py"):
            found |= set(re.findall(r'\bregister\("(\w+)"', path.read_text(encoding="utf-8")))
        return found
    return set(jax_ops.LOWERINGS)


def wasm_exports(path: Path) -> set[str]:
    """The op kernels a wasm build exports: its ``wg_<Op>`` functions and their variants ``wg_<Op>_<variant>``
    (``wg_MatMul_q``: MatMul on weights kept as int8/float16), as op names; runtime helpers are lower case.

    >>> "MatMul" in wasm_exports(ROOT / WASM_BUILD)
    True
    """
    import wasmtime

    module = wasmtime.Module.from_file(wasmtime.Engine(), str(path))
    return {m.group(1) for e in module.exports if (m := re.fullmatch(r"wg_([A-Z][A-Za-z0-9]*)(?:_\w+)?", e.name))}


def shader_ops(path: Path) -> set[str]:
    """The ops that have WGSL: shader keys are ``<Op>`` or ``<Op>_<variant>`` (``Conv2D_gemm_relu``).

    >>> {"MatMul", "Cast"} <= shader_ops(ROOT / "js_runtime/src/backends/webgpu/shaders.generated.js")
    True
    """
    text = path.read_text(encoding="utf-8")
    # webgpu_shaders/build.py writes one `"<key>": "<wgsl>",` line per shader
    return {key.split("_")[0] for key in re.findall(r'^\s*"([A-Za-z0-9_]+)":', text, flags=re.M)}


def _alias_ops_from_source(path: Path) -> set[str]:
    m = re.search(r"ALIAS_OPS\s*=\s*Object\.freeze\(new Set\(\[([^\]]*)\]", path.read_text(encoding="utf-8"))
    return set(re.findall(r"'(\w+)'", m.group(1))) if m else set()


# Imports the JS-side registries and prints their op names; the wasm glue's table is that of a real
# instance of the wasm backend (its kernels are bound to the instance's exports at creation).
_NODE_PROBE = """
const root = process.argv[1];
const imp = (p) => import(new URL(p, root).href);
const [{ KERNELS }, { PROGRAMS }, { ALIAS_OPS }, { getBackend }] = await Promise.all([
  imp('js_runtime/src/backends/js/kernels/index.js'), imp('js_runtime/src/backends/webgpu/programs/index.js'),
  imp('js_runtime/src/executor.js'), imp('js_runtime/src/backends/index.js')]);
const wasm = await getBackend('wasm').create();
const ops = (o) => Object.keys(o).filter((k) => typeof o[k] === 'function');
const found = { js: ops(KERNELS), wasm: ops(wasm.kernels), webgpuPrograms: ops(PROGRAMS), alias: [...ALIAS_OPS] };
console.log(JSON.stringify(found));
wasm.dispose();
"""


def _node_registries(root: Path) -> dict[str, list[str]]:
    proc = subprocess.run(["node", "--input-type=module", "-e", _NODE_PROBE, root.as_uri() + "/"],
                          capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise CoverageError(f"reading the JS registries with node failed: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout)


def format_problems(problems: Iterable[Problem]) -> str:
    """One problem per line, sorted by op.

    >>> format_problems([Problem("Gelu", "wasm", "wasm_kernels/src/Gelu.c does not exist")])
    'Gelu/wasm: wasm_kernels/src/Gelu.c does not exist'
    """
    return "\n".join(str(p) for p in sorted(problems, key=lambda p: (p.op, p.implementation, p.message)))
