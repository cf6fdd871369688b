// The wasm backend's worker pool (js_runtime/src/backends/wasm/threads/, docs/threads.md): threaded
// results equal single-threaded ones bit for bit (1, 2, 3 and 4 threads) on the MLP, CNN and
// MobileNetV2-style bundles of tests/node/make_fixtures.py, in float32, float16 and int8, with every
// call split (the work threshold set to 0) and with the jobs run by the workers alone (so the bits
// compared are the workers'); the `threads` option, `model.threads`, and the reason strings.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fixtureIndex, fixturesDir, readF32 } from './_helpers.mjs';
import { loadModel, tensor } from '../../js_runtime/src/index.js';
import { setMinParallelWork } from '../../js_runtime/src/backends/wasm/threads/split.js';
import { setCallerClaims } from '../../js_runtime/src/backends/wasm/threads/pool.js';
import { onlyWorkers } from './_threads.mjs';

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
