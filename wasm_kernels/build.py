"""Builds the WebAssembly-SIMD kernels into the npm package: ``js_runtime/wasm/``.

    python wasm_kernels/build.py            # writes webgrad-{simd,relaxed}{,-threads}.wasm, BUILD-INFO.json,
                                            # .gitattributes (marks them generated), and the sources generated
                                            # from params.json (gen_params.py): src/wg_params.generated.h,
                                            # src/wg_params_layout.generated.c, js_runtime/.../params.generated.js
    python wasm_kernels/build.py --check    # rebuilds in a temp dir; exit 1 if any committed file differs
    python wasm_kernels/build.py --out DIR  # writes somewhere else (benchmarks, experiments)

The compiler is the pinned PyPI ``ziglang`` (its bundled clang + wasm-ld), run freestanding: no libc,
no emscripten. The build is reproducible: sorted relative source paths, no debug info, custom
sections stripped, no build id, a fresh compiler cache per build, so the same sources and the same
ziglang give the same bytes (``--check`` relies on it).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(name: str, file: str):
    """A sibling module by path (wasm_kernels/ is not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / file)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


params_decl = _load("wasm_params_decl", "params_decl.py")
gen_params = _load("wasm_gen_params", "gen_params.py")
ROOT = HERE.parent
SRC = HERE / "src"
OUT_DIR = ROOT / "js_runtime" / "wasm"
ZIG_VERSION = "0.17.1"  # keep in step with pyproject.toml's dev extra (ziglang==...)
INFO = "BUILD-INFO.json"
GITATTRIBUTES = b"# Written by wasm_kernels/build.py: these files are generated, do not edit them.\n" \
    b"*.wasm binary linguist-generated=true\nBUILD-INFO.json linguist-generated=true\n"

COMMON_FLAGS = [
    "--target=wasm32-freestanding",
    "-mcpu=mvp",
    "-msimd128",
    "-mbulk-memory",  # memcpy/memset become memory.copy/memory.fill: no libc calls
    "-mnontrapping-fptoint",
    "-msign-ext",
    "-std=c11",
    "-ffreestanding",
    "-nostdlib",
    "-fvisibility=hidden",  # only WG_EXPORT functions are exported
    "-ffp-contract=off",  # a * b + c stays two roundings (same results in every engine)
    "-fno-ident",
    "-g0",
    "-mllvm",
    "-disable-lsr",  # keeps constant offsets in wasm load/store immediates (LSR rebases pointers)
    "-Wall",
    "-Wextra",
    "-Werror",
]
LINK_FLAGS = ["-Wl,--no-entry", "-Wl,--export-dynamic", "-Wl,--strip-all", "-Wl,-z,stack-size=65536"]
# The GEMM and convolution inner loops get -O3; everything else is optimized for size (-Os), which
# costs those kernels nothing measurable in V8 (it compiles the SIMD code as written) and saves ~1/3.
HOT_SOURCES = {"src/MatMul.c", "src/Conv2D.c", "src/gemm_core.c", "src/gemm_q.c"}

# The shared-memory builds for the worker pool (js_runtime/src/backends/wasm/threads/): atomics, memory
# imported (one shared WebAssembly.Memory for every thread's instance), thread-local allocator state
# (WG_THREADS in runtime.c), and the globals JS sets per worker: its stack pointer and its TLS block.
THREAD_FLAGS = ["-matomics", "-mmutable-globals", "-DWG_THREADS"]
# Initial and maximum size of the shared memory: JS creates it with exactly these (threads/memory.js,
# THREADED_MEMORY; a test compares). A shared memory cannot move, so engines reserve its maximum up
# front: 2 GiB is what browsers on 64-bit and 32-bit devices grant reliably.
THREAD_INITIAL_MEMORY = 2 * 1024 * 1024
THREAD_MAX_MEMORY = 2 * 1024 * 1024 * 1024
THREAD_LINK_FLAGS = [
    "-Wl,--shared-memory",
    "-Wl,--import-memory",
    f"-Wl,--initial-memory={THREAD_INITIAL_MEMORY}",
    f"-Wl,--max-memory={THREAD_MAX_MEMORY}",
    "-Wl,--export=__stack_pointer",
    "-Wl,--export=__wasm_init_tls",
    "-Wl,--export=__tls_size",
    "-Wl,--export=__tls_align",
]

# name -> (compile flags, link flags) beyond the common ones
VARIANTS = {
    "webgrad-simd.wasm": ([], []),
    "webgrad-relaxed.wasm": (["-mrelaxed-simd", "-DWG_RELAXED"], []),
    "webgrad-simd-threads.wasm": (THREAD_FLAGS, THREAD_LINK_FLAGS),
    "webgrad-relaxed-threads.wasm": (["-mrelaxed-simd", "-DWG_RELAXED", *THREAD_FLAGS], THREAD_LINK_FLAGS),
}


def sources(base: Path = HERE) -> list[str]:
    """The C sources (``src/*.c``, the gradient kernels ``src/grad/*.c`` and the optimizer updates
    ``src/train/*.c``), as sorted paths relative to ``base`` (so no absolute path reaches the compiler)."""
    src = base / "src"
    return sorted(p.relative_to(base).as_posix() for p in [*src.glob("*.c"), *src.glob("grad/*.c"),
                                                            *src.glob("train/*.c")])


def generated_sources(decl_path: Path = params_decl.PARAMS_JSON) -> dict[str, bytes]:
    """Repository-relative path -> bytes of every file generated from the params declaration."""
    return gen_params.generate(params_decl.load(decl_path))


def zig_version() -> str | None:
    try:
        out = subprocess.run([sys.executable, "-m", "ziglang", "version"], capture_output=True, text=True, check=True)
    except (subprocess.CalledProcessError, FileNotFoundError):
        return None
    return out.stdout.strip()


def source_digest(src: Path = SRC) -> str:
    """sha256 over the C sources and headers that were compiled (relative names and bytes, sorted)."""
    h = hashlib.sha256()
    listed = [*src.iterdir(), *(src / "grad").glob("*"), *(src / "train").glob("*")]
    files = [p for p in listed if p.suffix in (".c", ".h")]
    for p in sorted(files, key=lambda p: p.relative_to(src).as_posix()):
        h.update(p.relative_to(src).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def _run_all(jobs: list[tuple[str, list[str], dict[str, str]]], cwd: Path) -> None:
    """Runs (what, argv, env) compiler jobs two at a time (the machines have 2 cores)."""
    pending = list(jobs)
    running: list[tuple[str, subprocess.Popen]] = []
    while pending or running:
        while pending and len(running) < 2:
            what, cmd, env = pending.pop(0)
            running.append((what, subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                                   stderr=subprocess.PIPE, text=True)))
        what, proc = running.pop(0)
        stdout, stderr = proc.communicate()
        if proc.returncode != 0:
            for _, other in running:
                other.kill()
            raise SystemExit(f"wasm_kernels/build.py: {what} failed:\n{stderr}{stdout}")


def compile_all(tmp: Path, generated: dict[str, bytes]) -> dict[str, bytes]:
    """name -> .wasm bytes for every variant: a copy of src/ with the ``generated`` sources in it, each
    source compiled to an object (a fresh zig cache under ``tmp`` per variant), then linked."""
    zig = [sys.executable, "-m", "ziglang", "cc"]
    base = tmp / "wasm_kernels"
    shutil.copytree(SRC, base / "src", ignore=shutil.ignore_patterns("*.generated.*"))
    for rel, data in generated.items():
        if rel.startswith("wasm_kernels/src/") and ".generated." in rel:
            (tmp / rel).write_bytes(data)
    compile_jobs, link_jobs = [], []
    for name, (extra, link_extra) in VARIANTS.items():
        cache = tmp / f"cache-{name}"
        env = {**os.environ, "ZIG_GLOBAL_CACHE_DIR": str(cache / "global"), "ZIG_LOCAL_CACHE_DIR": str(cache / "local")}
        objs = []
        for src in sources(base):
            obj = tmp / f"{name}-{Path(src).with_suffix('').as_posix().replace('/', '-')}.o"
            opt = "-O3" if src in HOT_SOURCES else "-Os"
            compile_jobs.append((f"compiling {src} for {name}", [*zig, *COMMON_FLAGS, *extra, opt, "-c", src, "-o",
                                                                  str(obj)], env))
            objs.append(str(obj))
        link_jobs.append((f"linking {name}", [*zig, *COMMON_FLAGS, *extra, *LINK_FLAGS, *link_extra, *objs, "-o",
                                              str(tmp / name)], env))
    _run_all(compile_jobs, base)
    _run_all(link_jobs, base)
    return {name: (tmp / name).read_bytes() for name in VARIANTS}


def wasm_exports(data: bytes) -> list[str]:
    """Names in the export section of a .wasm (a minimal reader: enough for the build info)."""

    def leb(i: int) -> tuple[int, int]:
        result = shift = 0
        while True:
            b = data[i]
            i += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return result, i

    assert data[:4] == b"\0asm", "not a wasm module"
    i, names = 8, []
    while i < len(data):
        sid = data[i]
        size, i = leb(i + 1)
        if sid == 7:
            j = i
            count, j = leb(j)
            for _ in range(count):
                n, j = leb(j)
                names.append(data[j : j + n].decode())
                j += n + 1  # kind byte
                _, j = leb(j)  # index
        i += size
    return names


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def build_info(wasm: dict[str, bytes], digest: str) -> bytes:
    info = {
        "generated": "by wasm_kernels/build.py from wasm_kernels/src; do not edit (rebuild instead)",
        "ziglang": ZIG_VERSION,
        "sources_sha256": digest,
        "files": {
            name: {
                "bytes": len(data),
                "gzip_bytes": gzip_size(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "relaxed_simd": "relaxed" in name,
                "threads": "threads" in name,
            }
            for name, data in wasm.items()
        },
        "exports": sorted(wasm_exports(next(iter(wasm.values())))),
        "threads_extra_exports": sorted(set(wasm_exports(wasm["webgrad-simd-threads.wasm"]))
                                        - set(wasm_exports(next(iter(wasm.values()))))),
        "threads_memory": {"initial_bytes": THREAD_INITIAL_MEMORY, "maximum_bytes": THREAD_MAX_MEMORY},
    }
    return (json.dumps(info, indent=1, sort_keys=True) + "\n").encode()


def build(generated: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """Every output file name in js_runtime/wasm/ -> bytes (the four .wasm, BUILD-INFO.json, .gitattributes),
    compiled with the ``generated`` sources (default: generated from params.json now, not the committed copies)."""
    generated = generated_sources() if generated is None else generated
    have = zig_version()
    if have is None:
        raise SystemExit("wasm_kernels/build.py: ziglang is not installed; run: pip install -e '.[dev]'")
    if have != ZIG_VERSION:
        raise SystemExit(
            f"wasm_kernels/build.py: ziglang {have} found, the build is pinned to {ZIG_VERSION} "
            f"(pip install ziglang=={ZIG_VERSION}); another compiler gives other bytes"
        )
    with tempfile.TemporaryDirectory(prefix="webgrad-wasm-") as tmp:
        wasm = compile_all(Path(tmp), generated)
        digest = source_digest(Path(tmp) / "wasm_kernels" / "src")
    return {**wasm, INFO: build_info(wasm, digest), ".gitattributes": GITATTRIBUTES}


def stale(files: dict[str, bytes], out_dir: Path) -> list[str]:
    """The output names whose committed copy in ``out_dir`` is missing or differs."""
    bad = []
    for name, data in files.items():
        p = out_dir / name
        if not p.is_file():
            bad.append(f"{name} (missing)")
        elif p.read_bytes() != data:
            bad.append(name)
    return bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="rebuild and compare with the committed files")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help=f"output folder (default {OUT_DIR.relative_to(ROOT)})")
    args = ap.parse_args(argv)
    generated = generated_sources()
    files = build(generated)
    if args.check:
        bad_src = stale(generated, ROOT)
        bad = stale(files, args.out)
        if bad_src:
            print(f"stale files generated from {params_decl.PARAMS_JSON.relative_to(ROOT)}: {', '.join(bad_src)}; "
                  "rebuild with: python wasm_kernels/build.py", file=sys.stderr)
        if bad:
            print(f"stale generated files in {args.out}: {', '.join(bad)}; rebuild with: python wasm_kernels/build.py",
                  file=sys.stderr)
        if bad or bad_src:
            return 1
        print(f"{args.out}: up to date ({', '.join(files)}); generated sources up to date ({', '.join(generated)})")
        return 0
    for rel, data in generated.items():
        (ROOT / rel).write_bytes(data)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (args.out / name).write_bytes(data)
    for name, data in files.items():
        if name.endswith(".wasm"):
            print(f"{args.out / name}: {len(data)} bytes, {gzip_size(data)} gzipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
