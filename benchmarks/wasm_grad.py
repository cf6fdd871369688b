"""Speed of the wasm Conv2D gradient kernels on the MNIST CNN's layers (batch 64), in GFLOP/s.

    python benchmarks/wasm_grad.py             # wasmtime (Cranelift)
    python benchmarks/wasm_grad.py --node      # also Node (V8), when `node` is on PATH
    python benchmarks/wasm_grad.py --batch 32 --wasm-dir /tmp/out

The layers of ``webgrad.zoo``'s MNIST CNN: conv1 28x28x1 -> 26x26x32 and conv2 13x13x32 -> 11x11x64
(3x3, VALID). Per layer: the forward Conv2D (for scale), Conv2DBackpropFilter (dw) and, for conv2,
Conv2DBackpropInput (dx; the first layer's dx is never needed). FLOPs = 2 * N*OH*OW * KH*KW*C * O for
each. Both builds (SIMD128 and relaxed SIMD; Node 20 gets --experimental-wasm-relaxed-simd). One
thread, best of a few timed rounds after a warm-up. Not a test: nothing fails here.
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

from wasm_harness import VARIANTS, WASM_DIR, Kernels, conv2d_fields, pack_params  # noqa: E402

LAYERS = {"conv1": ((28, 28, 1), (3, 3, 1, 32)), "conv2": ((13, 13, 32), (3, 3, 32, 64))}
ATTRS = {"strides": [1, 1], "padding": "VALID", "dilations": [1, 1], "groups": 1, "activation": "none", "alpha": 0.0}


def jobs(batch: int) -> list[dict]:
    """One entry per (layer, kernel): the call's argument roles, buffer sizes, params bytes and FLOPs."""
    out = []
    for layer, (hwc, w_shape) in LAYERS.items():
        fields = conv2d_fields((batch, *hwc), w_shape, ATTRS)
        x_n = batch * int(np.prod(hwc))
        g_n = batch * fields["OH"] * fields["OW"] * fields["O"]
        w_n = int(np.prod(w_shape))
        flops = 2 * g_n * w_shape[0] * w_shape[1] * w_shape[2]
        params = pack_params("conv2d", fields).hex()
        out.append({"name": f"{layer} Conv2D", "fn": "wg_Conv2D", "args": [x_n, w_n, 0, g_n], "params": params,
                    "flops": flops})
        out.append({"name": f"{layer} Conv2DBackpropFilter", "fn": "wg_Conv2DBackpropFilter", "args": [x_n, g_n, w_n],
                    "params": params, "flops": flops})
        if layer != "conv1":
            out.append({"name": f"{layer} Conv2DBackpropInput", "fn": "wg_Conv2DBackpropInput",
                        "args": [g_n, w_n, x_n], "params": params, "flops": flops})
    return out


def bench_wasmtime(path: Path, batch: int) -> dict[str, float]:
    k = Kernels(path)
    rng = np.random.default_rng(0)
    res = {}
    for job in jobs(batch):
        with k.scope():
            ptrs = [0 if n == 0 else k.put(rng.standard_normal(n).astype(np.float32)) for n in job["args"]]
            p = k.put(np.frombuffer(bytes.fromhex(job["params"]), np.uint8))
            k.check(job["fn"], *ptrs, p)
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                k.check(job["fn"], *ptrs, p)
                best = min(best, time.perf_counter() - t0)
            res[job["name"]] = job["flops"] / best / 1e9
    return res


NODE_SCRIPT = r"""
const fs = require('fs');
const [file, jobsFile] = process.argv.slice(2);
const e = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file))).exports;
const out = {};
for (const job of JSON.parse(fs.readFileSync(jobsFile, 'utf8'))) {
  const mark = e.wg_mark();
  const ptrs = job.args.map((n) => (n === 0 ? 0 : e.wg_alloc(n * 4) >>> 0));
  const bytes = Buffer.from(job.params, 'hex');
  const p = e.wg_alloc(bytes.length) >>> 0;
  new Uint8Array(e.memory.buffer, p, bytes.length).set(bytes);
  job.args.forEach((n, i) => {
    const f = new Float32Array(e.memory.buffer, ptrs[i], n);
    for (let j = 0; j < n; j++) f[j] = Math.random() - 0.5;
  });
  const call = () => { if (e[job.fn](...ptrs, p) !== 0) throw new Error(job.fn + ' failed'); };
  call();
  const reps = Math.max(1, Math.round(1e9 / job.flops));
  let best = Infinity;
  for (let t = 0; t < 5; t++) {
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) call();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9 / reps);
  }
  out[job.name] = job.flops / best / 1e9;
  e.wg_reset(mark);
}
console.log(JSON.stringify(out));
"""


def bench_node(path: Path, batch: int) -> dict[str, float] | None:
    node = shutil.which("node")
    if node is None:
        return None
    flags = ["--experimental-wasm-relaxed-simd"] if "relaxed" in path.name else []
    with tempfile.TemporaryDirectory() as tmp:
        script, job_file = Path(tmp) / "bench.cjs", Path(tmp) / "jobs.json"
        script.write_text(NODE_SCRIPT)
        job_file.write_text(json.dumps(jobs(batch)))
        proc = subprocess.run([node, *flags, str(script), str(path), str(job_file)], capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return None
    return json.loads(proc.stdout)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--node", action="store_true", help="also run in Node (V8)")
    ap.add_argument("--wasm-dir", type=Path, default=WASM_DIR)
    args = ap.parse_args(argv)
    names = [j["name"] for j in jobs(args.batch)]
    print(f"GFLOP/s, batch {args.batch}, one thread")
    for variant in VARIANTS:
        path = args.wasm_dir / variant
        rows = [("wasmtime", bench_wasmtime(path, args.batch))]
        if args.node:
            rows.append(("node", bench_node(path, args.batch)))
        for engine, res in rows:
            if res is None:
                print(f"{variant:22} {engine:9} (not available)")
                continue
            for name in names:
                print(f"{variant:22} {engine:9} {name:28} {res[name]:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
