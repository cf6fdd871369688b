// A Node.js federated client process for tests/test_federated_e2e.py and benchmarks/federated_real.py
// (not a test file: node --test only runs *.test.mjs).
//
//   node tests/node/_federated_worker.mjs SERVER_URL TOKEN DATA.json [--backend wasm] [--stall-before-update]
//
// DATA.json: {"x": [...], "shape": [n, ...], "y": [...]}. Prints one JSON line per event: {"joined"},
// each round's report {"round": ...}, {"stalled": round} (with --stall-before-update: the update is never
// sent, the process waits to be killed mid-round), and {"done": {...}} at the end; an error is
// {"error": {code, message}} and exit status 1.

import { readFileSync } from 'node:fs';
import { FederatedClient } from '../../js_runtime/src/index.js';

const [url, token, dataFile, ...flags] = process.argv.slice(2);
const backend = flags.includes('--backend') ? flags[flags.indexOf('--backend') + 1] : 'auto';
const stall = flags.includes('--stall-before-update');
const raw = JSON.parse(readFileSync(dataFile, 'utf8'));
const x = { data: Float32Array.from(raw.x), shape: raw.shape };
const y = Int32Array.from(raw.y);
const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

/** @type {typeof fetch} */
const fetchOrStall = (input, init) => {
  if (stall && init?.method === 'POST' && String(input).endsWith('/fl/v1/update')) {
    say({ stalled: JSON.parse(String(init.body)).round });
    return new Promise(() => setInterval(() => {}, 1 << 30)); // never answers; the test kills this process
  }
  return fetch(input, init);
};

const client = new FederatedClient(url, { token, backend, fetch: fetchOrStall });
try {
  const done = await client.join({
    data: () => ({ x, y }),
    onStatus: (s) => s.phase === 'joined' && say({ joined: client.clientId }),
    onRound: (r) => say(r),
  });
  say({ done });
} catch (e) {
  say({ error: { code: e.code, message: e.message, serverCode: e.serverCode } });
  process.exitCode = 1;
}
