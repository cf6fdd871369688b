"""GEMM speed of the WebAssembly kernels: matmul n x n x n (f32, B pre-packed) in GFLOP/s.

    python benchmarks/wasm_gemm.py                 # wasmtime (Cranelift), sizes 256 512 1024
    python benchmarks/wasm_gemm.py --node          # also Node (V8), when `node` is on PATH
    python benchmarks/wasm_gemm.py --sizes 64 1024 --wasm-dir /tmp/out

Both builds run: webgrad-simd.wasm (SIMD128) and webgrad-relaxed.wasm (relaxed-SIMD madd; Node 20
needs --experimental-wasm-relaxed-simd, which this script passes). wasmtime's figures are
indicative; the numbers that count come from the browsers and Node. Not a test: nothing fails here.
One thread; best of a few runs after a warm-up.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from wasm_harness import VARIANTS, WASM_DIR, Kernels, matmul_params  # noqa: E402

NODE_SCRIPT = r"""
const fs = require('fs');
const [file, sizesArg, packedArg] = process.argv.slice(2);
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)));
const e = instance.exports;
const out = {};
for (const n of sizesArg.split(',').map(Number)) {
  const mark = e.wg_mark();
  const a = e.wg_alloc(n * n * 4) >>> 0, b = e.wg_alloc(n * n * 4) >>> 0, y = e.wg_alloc(n * n * 4) >>> 0;
  const packed = packedArg === '1';
  const bp = packed ? e.wg_alloc(e.wg_packed_b_size(n, n) * 4) >>> 0 : b;
  const p = e.wg_alloc(84) >>> 0;
  let f = new Float32Array(e.memory.buffer);
  for (let i = 0; i < n * n; i++) { f[a / 4 + i] = Math.random() - 0.5; f[b / 4 + i] = Math.random() - 0.5; }
  if (packed) e.wg_pack_b(b, bp, n, n, 0);
  const dv = new DataView(e.memory.buffer, p, 84);
  [n, n, n, 0, 0, packed ? 1 : 0, 0].forEach((v, i) => dv.setInt32(i * 4, v, true));
  dv.setFloat32(28, 0.2, true);
  for (let i = 8; i < 21; i++) dv.setInt32(i * 4, i === 8 ? 0 : 1, true);
  const flops = 2 * n * n * n;
  const reps = Math.max(1, Math.round(2e9 / flops));
  e.wg_MatMul(a, bp, 0, y, p);
  let best = Infinity;
  for (let t = 0; t < 5; t++) {
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) e.wg_MatMul(a, bp, 0, y, p);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9 / reps);
  }
  out[n] = flops / best / 1e9;
  e.wg_reset(mark);
}
console.log(JSON.stringify(out));
"""


def bench_wasmtime(path: Path, sizes: list[int], packed: bool) -> dict[int, float]:
    k = Kernels(path)
    rng = np.random.default_rng(0)
    out = {}
    for n in sizes:
        with k.scope():
            a = k.put(rng.standard_normal((n, n)).astype(np.float32))
            b = k.put(rng.standard_normal((n, n)).astype(np.float32))
            y = k.empty((n, n))
            if packed:
                bp = k.alloc(k("wg_packed_b_size", n, n) * 4)
                k.check("wg_pack_b", b, bp, n, n, 0)
            else:
                bp = b
            p = matmul_params(k, n, n, n, b_packed=packed)
            fn, store = k.exports["wg_MatMul"], k.store
            flops = 2.0 * n**3
            reps = max(1, round(1e9 / flops))
            fn(store, a, bp, 0, y, p)
            best = float("inf")
            for _ in range(5):
                t0 = time.perf_counter()
                for _ in range(reps):
                    fn(store, a, bp, 0, y, p)
                best = min(best, (time.perf_counter() - t0) / reps)
            out[n] = flops / best / 1e9
    return out


def bench_node(path: Path, sizes: list[int], packed: bool) -> dict[int, float] | None:
    node = shutil.which("node")
    if node is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".cjs", delete=False) as f:
        f.write(NODE_SCRIPT)
    flags = ["--experimental-wasm-relaxed-simd"] if "relaxed" in path.name else []
    proc = subprocess.run([node, *flags, f.name, str(path), ",".join(map(str, sizes)), "1" if packed else "0"],
                          capture_output=True, text=True)
    Path(f.name).unlink()
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return None
    return {int(k): v for k, v in json.loads(proc.stdout).items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[256, 512, 1024])
    ap.add_argument("--wasm-dir", type=Path, default=WASM_DIR)
    ap.add_argument("--node", action="store_true", help="also run in Node (V8)")
    ap.add_argument("--unpacked", action="store_true", help="B unpacked (packed per call) instead of pre-packed")
    args = ap.parse_args(argv)
    packed = not args.unpacked
    print(f"matmul n x n x n f32, B {'pre-packed' if packed else 'unpacked'}, GFLOP/s (one thread)")
    print(f"{'engine':10} {'build':22} " + " ".join(f"{n:>8}" for n in args.sizes))
    for name in VARIANTS:
        path = args.wasm_dir / name
        rows = [("wasmtime", bench_wasmtime(path, args.sizes, packed))]
        if args.node:
            rows.append(("node", bench_node(path, args.sizes, packed)))
        for engine, res in rows:
            if res is not None:
                print(f"{engine:10} {name:22} " + " ".join(f"{res[n]:8.1f}" for n in args.sizes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
