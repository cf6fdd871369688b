// The executor and its memory planner: one arena with best-fit reuse of dead buffers (no two live
// buffers overlap), plans cached per input-shape signature (at most MAX_PLANS), Reshape/Flatten as
// views, and 10,000 predict calls that do not grow the arena, the plan count or the JS heap.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { bundleMap } from './_helpers.mjs';
import { ALIGN, planArena } from '../../js_runtime/src/arena.js';
import { Executor, MAX_PLANS } from '../../js_runtime/src/executor.js';
import { jsBackend } from '../../js_runtime/src/backends/js/index.js';
import { loadModel, tensor } from '../../js_runtime/src/index.js';

/** Asserts that no two buffers whose lifetimes intersect share bytes. */
function assertNoOverlap(buffers, offsets) {
  for (let i = 0; i < buffers.length; i++) {
    for (let j = i + 1; j < buffers.length; j++) {
      const a = buffers[i];
      const b = buffers[j];
      const live = a.def <= b.last && b.def <= a.last;
      const bytes = offsets[i] < offsets[j] + b.size && offsets[j] < offsets[i] + a.size;
      assert.ok(!(live && bytes && a.size && b.size), `buffers ${i} and ${j} overlap while both live`);
    }
  }
}

test('planArena: a chain reuses freed space, sizes are aligned, live buffers never overlap', () => {
  // x -> a -> b -> c -> d, each read only by the next: two buffers suffice at any time.
  const chain = [0, 1, 2, 3, 4].map((s) => ({ size: 1000, def: s - 1, last: s }));
  const { offsets, size } = planArena(chain);
  assertNoOverlap(chain, offsets);
  assert.equal(size, 2 * Math.ceil(1000 / ALIGN) * ALIGN);
  offsets.forEach((o) => assert.equal(o % ALIGN, 0));
});

test('planArena: best fit picks the smallest free interval that fits', () => {
  const buffers = [
    { size: 64, def: 0, last: 1 }, // freed after step 1
    { size: 32, def: 0, last: 5 }, // keeps the two apart
    { size: 256, def: 0, last: 1 }, // freed after step 1
    { size: 48, def: 2, last: 3 }, // fits both holes: takes the 64-byte one
  ];
  const { offsets } = planArena(buffers);
  assertNoOverlap(buffers, offsets);
  assert.equal(offsets[3], offsets[0]);
});

test('planArena: random lifetimes never overlap and stay within the arena', () => {
  let seed = 7;
  const rand = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  for (let trial = 0; trial < 50; trial++) {
    const buffers = Array.from({ length: 40 }, () => {
      const def = rand(30) - 1;
      return { size: rand(5000), def, last: def + rand(6) };
    });
    const { offsets, size } = planArena(buffers);
    assertNoOverlap(buffers, offsets);
    buffers.forEach((b, i) => assert.ok(offsets[i] + b.size <= size));
    const total = buffers.reduce((n, b) => n + Math.ceil(b.size / ALIGN) * ALIGN, 0);
    assert.ok(size <= total);
  }
});

test('executor: Reshape/Flatten are views (of inputs and of weights), outputs are fresh copies', async () => {
  const backend = await jsBackend.create();
  const w = { data: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [6], dtype: 'float32' };
  const graph = {
    inputs: [{ name: 'x', dtype: 'float32', shape: [null, 2, 3] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [null, 6] }, { name: 'flat', dtype: 'float32', shape: [null, 6] }],
    nodes: [
      { name: 'flat', op: 'Flatten', inputs: ['x'], outputs: ['flat'], attrs: { axis: 1 } },
      { name: 'w2', op: 'Reshape', inputs: ['w'], outputs: ['w2'], attrs: { shape: [1, 6] } },
      { name: 'y', op: 'Add', inputs: ['flat', 'w2'], outputs: ['y'], attrs: {} },
    ],
  };
  const ex = new Executor(graph, new Map([['w', w]]), backend);
  const x = tensor(Float32Array.from({ length: 12 }, (_, i) => i), [2, 2, 3]);
  const [y, flat] = ex.run([x]);
  assert.deepEqual(Array.from(y.dataSync()), [1, 3, 5, 7, 9, 11, 7, 9, 11, 13, 15, 17]);
  assert.deepEqual(flat.shape, [2, 6]);
  assert.deepEqual(Array.from(flat.dataSync()), Array.from(x.dataSync()));
  const plan = ex.plan([[2, 2, 3]]);
  assert.equal(plan.steps.filter((s) => s.alias).length, 2);
  // The arena holds x (48 B, aliased by flat) and y (48 B) only.
  assert.equal(ex.arenaBytes, 96);
  ex.dispose();
});

test('plans are cached per input shape, at most MAX_PLANS, sharing one arena', async () => {
  const model = await loadModel(bundleMap('mlp-float32'));
  for (let batch = 1; batch <= MAX_PLANS + 4; batch++) {
    await model.predict(tensor(new Float32Array(batch * 20), [batch, 20]));
  }
  const { plans, arenaBytes } = model.memory();
  assert.equal(plans, MAX_PLANS);
  await model.predict(tensor(new Float32Array(20), [1, 20])); // evicted earlier: rebuilt, the arena is big enough
  assert.equal(model.memory().arenaBytes, arenaBytes);
  model.dispose();
});

test('alternating input shapes each get their own plan, with the right results', async () => {
  const model = await loadModel(bundleMap('mlp-float32'));
  const rows = Float32Array.from({ length: 60 }, (_, i) => Math.cos(i));
  const single = [];
  for (let r = 0; r < 3; r++) single.push(Array.from((await model.predict(tensor(rows.slice(r * 20, r * 20 + 20), [1, 20]))).dataSync()));
  let plans = -1;
  for (let i = 0; i < 3; i++) {
    const batch = Array.from((await model.predict(tensor(rows, [3, 20]))).dataSync());
    if (i === 0) plans = model.memory().plans; // the self-test's shape, [1, 20] and [3, 20]
    const one = Array.from((await model.predict(tensor(rows.slice(20, 40), [1, 20]))).dataSync());
    assert.deepEqual(one, single[1]);
    const width = single[0].length;
    for (let r = 0; r < 3; r++) {
      batch.slice(r * width, (r + 1) * width).forEach((v, j) => assert.ok(Math.abs(v - single[r][j]) < 1e-6, `row ${r}`));
    }
  }
  assert.equal(model.memory().plans, plans, 'no plan made after the first of each shape');
  model.dispose();
});

test('10,000 predict calls: arena, plans and heap do not grow', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const model = await loadModel(bundleMap('mlp-float32'));
  const x = tensor(Float32Array.from({ length: 60 }, (_, i) => (i % 7) / 7), [3, 20]);
  const first = Array.from((await model.predict(x)).dataSync());
  for (let i = 0; i < 200; i++) (await model.predict(x)).dispose();
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const mem0 = model.memory();
  for (let i = 0; i < 10000; i++) {
    const y = await model.predict(x);
    if (i % 2500 === 0) assert.deepEqual(Array.from(y.dataSync()), first, 'same answer every time');
    y.dispose();
  }
  gc();
  const heap1 = process.memoryUsage().heapUsed;
  assert.deepEqual(model.memory(), mem0);
  assert.equal(mem0.plans, 2, 'the self-test plan (batch 2) and this one (batch 3)');
  assert.ok(heap1 - heap0 < 1 << 20, `heap grew by ${heap1 - heap0} bytes over 10,000 calls`);
  model.dispose();
});
