// The wasm backend's worker pool (js_runtime/src/backends/wasm/threads/, docs/threads.md): threaded
// results equal single-threaded ones bit for bit (1, 2, 3 and 4 threads) on the MLP, CNN and
// MobileNetV2-style bundles of tests/node/make_fixtures.py, in float32, float16 and int8, with every
// call split (the work threshold set to 0) and with the jobs run by the workers alone (so the bits
// compared are the workers'); the `threads` option, `model.threads`, and the reason strings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { RUNTIME, fixtureIndex, fixturesDir, readF32 } from './_helpers.mjs';
import { loadModel, tensor } from '../../js_runtime/src/index.js';
import { setMinParallelWork } from '../../js_runtime/src/backends/wasm/threads/split.js';
import { setCallerClaims } from '../../js_runtime/src/backends/wasm/threads/pool.js';
import { onlyWorkers } from './_threads.mjs';

const run = promisify(execFile);

/**
 * The output bits of `c`'s bundle on wasm with `threads`; `workersOnly`: every call split, every job run
 * by a worker (set once the workers run: the calling thread would wait for them otherwise).
 */
async function bits(c, threads, workersOnly = false) {
  const dir = fixturesDir();
  const model = await loadModel(join(dir, c.bundle), { backend: 'wasm', threads });
  const was = setMinParallelWork(workersOnly ? 0 : Infinity);
  try {
    assert.equal(model.threads, threads);
    if (threads > 1) await onlyWorkers(threads - 1);
    setCallerClaims(!workersOnly);
    const y = await model.predict(tensor(readF32(join(dir, c.input)), c.inputShape));
    return new Uint32Array(new Float32Array(y.dataSync()).buffer);
  } finally {
    setCallerClaims(true);
    setMinParallelWork(was);
    model.dispose();
  }
}

for (const c of fixtureIndex().cases) {
  test(`${c.name}: 2, 3 and 4 threads give the bits of 1 (every call split, run by the workers)`, async () => {
    const one = await bits(c, 1);
    for (const threads of [2, 3, 4]) assert.deepEqual(await bits(c, threads, true), one, `${threads} threads`);
  });
}

test('the relaxed-SIMD threaded build (--experimental-wasm-relaxed-simd): 2-4 threads give the bits of 1', async () => {
  const href = (p) => JSON.stringify(pathToFileURL(join(RUNTIME, 'src', ...p.split('/'))).href);
  const script = `
import { loadModel, tensor } from ${href('index.js')};
import { setMinParallelWork } from ${href('backends/wasm/threads/split.js')};
import { setCallerClaims, workerCounts } from ${href('backends/wasm/threads/pool.js')};
import { readFileSync } from 'node:fs';
const [dir, cases] = JSON.parse(process.argv.at(-1));
const f32 = (p) => { const b = readFileSync(p); const o = new Float32Array(b.byteLength / 4); new Uint8Array(o.buffer).set(b); return o; };
const out = [];
for (const c of cases) {
  const bits = [];
  for (const threads of [1, 2, 3, 4]) {
    const m = await loadModel(dir + '/' + c.bundle, { backend: 'wasm', threads });
    if (threads > 1 && !m.backendReason.includes('relaxed-threads')) throw new Error(m.backendReason);
    const n = threads - 1; // wait for this model's workers, all booted, the earlier ones gone
    while (workerCounts().live !== n || workerCounts().running !== n) await new Promise((r) => setTimeout(r, 5));
    setMinParallelWork(0);
    setCallerClaims(threads === 1);
    const y = (await m.predict(tensor(f32(dir + '/' + c.input), c.inputShape))).dataSync();
    setCallerClaims(true);
    setMinParallelWork(Infinity);
    bits.push(Array.from(new Uint32Array(new Float32Array(y).buffer)).join(','));
    m.dispose();
  }
  out.push({ name: c.name, same: bits.map((b) => b === bits[0]) });
}
console.log(JSON.stringify(out));`;
  const cases = fixtureIndex().cases.filter((c) => c.quantize === 'float32');
  const { stdout } = await run(
    process.execPath,
    ['--experimental-wasm-relaxed-simd', '--input-type=module', '-e', script, JSON.stringify([fixturesDir(), cases])],
    { timeout: 60000, maxBuffer: 1 << 24 },
  );
  for (const r of JSON.parse(stdout)) assert.deepEqual(r.same, [true, true, true, true], r.name);
});
