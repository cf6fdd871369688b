"""Secure aggregation's cost: bytes per client per round (each message as JSON) and the time of each
step, in Python (webgrad.federated.secagg) and in Node (the npm package's SecAggClient).

    python benchmarks/secure_aggregation.py                      # 10 clients, 100,000 coordinates, 2 dropped
    python benchmarks/secure_aggregation.py --clients 50 --length 1000000 --dropped 10

Prints figures; never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np

from webgrad.federated.secagg import SecAggClient, SecAggServer, round_config

ROOT = Path(__file__).resolve().parent.parent
NODE_SCRIPT = """
import { SecAggClient, roundConfig } from './js_runtime/src/federated/secagg/index.js';
const [n, L] = [Number(process.argv[1]), Number(process.argv[2])];
const ids = Array.from({ length: n }, (_, i) => `c${i}`);
const cfg = roundConfig(1, ids, L, 10);
const cl = Object.fromEntries(ids.map((c) => [c, new SecAggClient(c, cfg)]));
const roster = { round: 1, clients: {} };
for (const c of ids) roster.clients[c] = await cl[c].advertise();
let t = performance.now();
const out = {};
for (const c of ids) out[c] = await cl[c].shareKeys(roster);
const share = (performance.now() - t) / n;
const inbox = { round: 1, shares: Object.fromEntries(ids.slice(1).map((f) => [f, out[f].c0])) };
const u = Float32Array.from({ length: L }, (_, i) => Math.sin(i) * 0.01);
t = performance.now();
await cl.c0.maskedInput(u, 5, inbox);
console.log(JSON.stringify({ shareKeysMs: share, maskedInputMs: performance.now() - t }));
"""


def _size(msg: object) -> int:
    return len(msg) if isinstance(msg, str) else len(json.dumps(msg, separators=(",", ":")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--length", type=int, default=100_000)
    parser.add_argument("--dropped", type=int, default=2, help="clients gone after sharing keys")
    args = parser.parse_args()
    ids = [f"c{i}" for i in range(args.clients)]
    cfg = round_config(1, ids, args.length, 10.0)
    server, clients = SecAggServer(cfg), {c: SecAggClient(c, cfg) for c in ids}
    sizes: dict[str, int] = {}
    t0 = time.perf_counter()
    for c in ids:
        msg = clients[c].advertise()
        sizes["advertise (up)"] = _size(msg)
        server.receive_advertise(c, msg)
    roster = server.roster()
    sizes["roster (down)"] = _size(roster)
    for c in ids:
        shares = clients[c].share_keys(roster)
        sizes["shares (up)"] = _size(shares)
        server.receive_shares(c, shares)
    t_keys = (time.perf_counter() - t0) / args.clients
    survivors = ids[args.dropped:]
    rng = np.random.default_rng(0)
    t_mask = []
    for c in survivors:
        inbox = server.inbox(c)
        sizes["inbox (down)"] = _size(inbox)
        t = time.perf_counter()
        masked = clients[c].masked_input(rng.normal(0, 0.01, args.length).astype(np.float32), 5, inbox)
        t_mask.append(time.perf_counter() - t)
        sizes["masked vector (up)"] = _size(masked)
        server.receive_masked(c, masked)
    ask = server.unmask_request()
    sizes["survivors/dropped (down)"] = _size(ask)
    for c in survivors:
        msg = clients[c].unmask(ask["survivors"], ask["dropped"])
        sizes["unmask shares (up)"] = _size(msg)
        server.receive_unmask(c, msg)
    t = time.perf_counter()
    server.result()
    t_result = time.perf_counter() - t
    print(f"secure aggregation: {args.clients} clients, {args.length:,} coordinates, {args.dropped} dropped "
          f"after sharing keys (fracBits {cfg['fracBits']})")
    for name, size in sizes.items():
        print(f"  {name:<26} {size:>12,} B")
    protocol = sum(v for k, v in sizes.items() if k != "masked vector (up)")
    print(f"  {'protocol total':<26} {protocol:>12,} B (besides the masked vector)")
    print(f"  plain float32 update: {_size('x' * (4 * ((4 * args.length + 2) // 3)))} B in base64")
    print(f"python: advertise+share_keys {1e3 * t_keys:.1f} ms per client, masked_input "
          f"{1e3 * float(np.median(t_mask)):.1f} ms, server result {1e3 * t_result:.1f} ms")
    if shutil.which("node"):
        out = subprocess.run(["node", "--input-type=module", "-e", NODE_SCRIPT, str(args.clients), str(args.length)],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
        js = json.loads(out)
        print(f"node: shareKeys {js['shareKeysMs']:.1f} ms per client, maskedInput {js['maskedInputMs']:.1f} ms")


if __name__ == "__main__":
    main()
