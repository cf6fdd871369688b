// The wasm backend's threads over a model's life (docs/threads.md): the `threads` option (EARG for bad
// values, on every backend), `model.threads` and the reason strings (threads granted, and why one where
// the engine has no SharedArrayBuffer or is not cross-origin isolated); 10,000 predicts and 50
// load/dispose cycles grow nothing (linear memory, workers, live resources); a script that loads,
// predicts and disposes (or forgets) its model exits by itself.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { RUNTIME, bundleMap } from './_helpers.mjs';
import { liveResources, loadModel, tensor } from '../../js_runtime/src/index.js';
import { setMinParallelWork } from '../../js_runtime/src/backends/wasm/threads/split.js';
import { workerCounts } from '../../js_runtime/src/backends/wasm/threads/pool.js';
import { until } from './_threads.mjs';

const run = promisify(execFile);
const NOTHING = { models: 0, backends: 0, arenaBytes: 0, weightsBytes: 0 };
const INDEX = JSON.stringify(pathToFileURL(join(RUNTIME, 'src', 'index.js')).href);
const mlp = () => bundleMap('mlp-float32');
const x = () =>
  tensor(
    new Float32Array(60).map((_, i) => Math.sin(i)),
    [3, 20],
  );

test('bad threads values are EARG on every backend, before anything is read or allocated', async () => {
  for (const threads of [0, -1, 1.5, 17, NaN, Infinity, '2', 'many', null, true, [2]]) {
    for (const backend of ['wasm', 'js', 'auto']) {
      await assert.rejects(
        loadModel(mlp(), { backend, threads: /** @type {any} */ (threads) }),
        (e) => e.code === 'EARG' && /^threads must be 'auto' or a whole number from 1 to 16, got /.test(e.message),
        `${backend} threads ${String(threads)}`,
      );
    }
  }
  assert.deepEqual(liveResources(), NOTHING);
  assert.equal(workerCounts().live, 0);
});

test('model.threads and backendReason: as asked, auto = the cores capped at 4, 1 on js', async () => {
  const cases = [
    [1, 1, /^requested 'wasm': webgrad-(simd|relaxed)\.wasm: [^;]+; 1 thread \(threads: 1\)$/],
    [2, 2, /^requested 'wasm': webgrad-(simd|relaxed)-threads\.wasm: [^;]+; 2 threads \(threads: 2\)$/],
    [3, 3, /; 3 threads \(threads: 3\)$/],
  ];
  const cores = availableParallelism();
  const auto = Math.min(cores, 4);
  cases.push([
    'auto',
    auto,
    auto === 1
      ? /; 1 thread \(threads: 'auto'\): 1 core$/
      : new RegExp(`; ${auto} threads \\(threads: 'auto': ${cores} cores${cores > 4 ? ', capped at 4' : ''}\\)$`),
  ]);
  for (const [threads, count, reason] of cases) {
    const model = await loadModel(mlp(), { backend: 'wasm', threads });
    assert.equal(model.threads, count, `threads ${threads}`);
    assert.match(model.backendReason, reason);
    model.dispose();
  }
  const js = await loadModel(mlp(), { backend: 'js', threads: 4 });
  assert.equal(js.threads, 1);
  js.dispose();
  await until(() => workerCounts().live === 0);
});

const HELPERS = JSON.stringify(pathToFileURL(join(RUNTIME, '..', 'tests', 'node', '_helpers.mjs')).href);

/**
 * Runs `body` in a child Node.js (an ES module with loadModel, tensor and fixturesDir in scope); rejects
 * if it fails or has not exited after `timeout` ms.
 */
async function child(flags, body, timeout = 20000) {
  const script = `import { loadModel, tensor } from ${INDEX};
import { fixturesDir } from ${HELPERS};
${body}`;
  return run(process.execPath, [...flags, '--input-type=module', '-e', script], { timeout, maxBuffer: 1 << 24 });
}

test('without SharedArrayBuffer (or not cross-origin isolated) the model runs on one thread and says why', async () => {
  const body = `
const m = await loadModel(fixturesDir() + '/mlp-float32', { backend: 'wasm', threads: 2 });
console.log(JSON.stringify({ threads: m.threads, reason: m.backendReason }));
m.dispose();`;
  const plain = JSON.parse((await child(['--no-harmony-sharedarraybuffer'], body)).stdout);
  assert.equal(plain.threads, 1);
  assert.match(
    plain.reason,
    /webgrad-(simd|relaxed)\.wasm: [^;]+; 1 thread: SharedArrayBuffer unavailable in this engine$/,
  );
  const page = JSON.parse(
    (await child(['--no-harmony-sharedarraybuffer'], `globalThis.crossOriginIsolated = false;\n${body}`)).stdout,
  );
  assert.equal(page.threads, 1);
  assert.match(page.reason, /; 1 thread: not cross-origin isolated: SharedArrayBuffer unavailable; see COOP\/COEP$/);
});

test('10,000 predicts with 2 threads (every call split): linear memory, workers and resources do not grow', async () => {
  const model = await loadModel(mlp(), { backend: 'wasm', threads: 2 });
  const was = setMinParallelWork(0);
  try {
    const input = x();
    const first = (await model.predict(input)).dataSync().slice();
    const bytes = model.memory();
    const workers = workerCounts().live;
    for (let i = 0; i < 10000; i++) (await model.predict(input)).dispose();
    assert.deepEqual(model.memory(), bytes);
    assert.equal(workerCounts().live, workers);
    assert.ok(workers <= 1, `${workers} workers for one model of 2 threads`);
    assert.deepEqual((await model.predict(input)).dataSync(), first);
  } finally {
    setMinParallelWork(was);
    model.dispose();
  }
  assert.deepEqual(liveResources(), NOTHING);
  await until(() => workerCounts().live === 0);
});

test('50 load/dispose cycles with 2 threads leave no worker and nothing allocated', async () => {
  for (let i = 0; i < 50; i++) {
    const model = await loadModel(mlp(), { backend: 'wasm', threads: 2, selftest: i % 10 === 0 });
    (await model.predict(x())).dispose();
    model.dispose();
    assert.ok(workerCounts().live <= 50, 'workers end as models are disposed');
  }
  assert.deepEqual(liveResources(), NOTHING);
  await until(() => workerCounts().live === 0);
});

test('a script that loads, predicts and disposes its threaded model exits by itself; so does one that forgets it', async () => {
  for (const end of ['m.dispose();', '/* the model is never disposed */'])
    for (const wait of [0, 300]) {
      const body = `
const m = await loadModel(fixturesDir() + '/mlp-float32', { backend: 'wasm', threads: 3 });
const y = await m.predict(tensor(new Float32Array(60), [3, 20]));
await new Promise((r) => setTimeout(r, ${wait})); // 0: workers still starting; 300: up and waiting
console.log(JSON.stringify({ threads: m.threads, n: y.dataSync().length }));
${end}`;
      const { stdout } = await child([], body, 15000); // rejects (killed) if the process does not exit
      assert.deepEqual(JSON.parse(stdout), { threads: 3, n: 15 }, `${end} after ${wait} ms`);
    }
});
