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
  const rand = (n) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
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

/**
 * The planner as it was before it kept its free intervals in a tree: a linear scan for the best fit and
 * a sorted array. The reference the tree version must match offset for offset.
 */
function planArenaReference(buffers) {
  const free = [];
  let end = 0;
  const offsets = new Array(buffers.length).fill(0);
  const order = buffers.map((_, i) => i).sort((a, b) => buffers[a].def - buffers[b].def || a - b);
  const steps = [...new Set(buffers.flatMap((b) => [b.def, b.last]))].sort((a, b) => a - b);
  const alloc = (size) => {
    let best = -1;
    for (let i = 0; i < free.length; i++)
      if (free[i].size >= size && (best < 0 || free[i].size < free[best].size)) best = i;
    if (best >= 0) {
      const at = free[best].offset;
      free[best].offset += size;
      free[best].size -= size;
      if (free[best].size === 0) free.splice(best, 1);
      return at;
    }
    const last = free[free.length - 1];
    if (last && last.offset + last.size === end) {
      free.pop();
      end = last.offset + size;
      return last.offset;
    }
    end += size;
    return end - size;
  };
  const release = (offset, size) => {
    let i = 0;
    while (i < free.length && free[i].offset < offset) i++;
    free.splice(i, 0, { offset, size });
    if (i + 1 < free.length && offset + size === free[i + 1].offset) free[i].size += free.splice(i + 1, 1)[0].size;
    if (i > 0 && free[i - 1].offset + free[i - 1].size === offset) free[i - 1].size += free.splice(i, 1)[0].size;
  };
  let next = 0;
  for (const step of steps) {
    while (next < order.length && buffers[order[next]].def === step) {
      const b = order[next++];
      const size = Math.ceil(buffers[b].size / ALIGN) * ALIGN;
      if (size > 0) offsets[b] = alloc(size);
    }
    buffers.forEach((b, i) => {
      const size = Math.ceil(b.size / ALIGN) * ALIGN;
      if (b.last === step && size > 0) release(offsets[i], size);
    });
  }
  return { offsets, size: end };
}

test('planArena: the same offsets and arena size as the linear-scan planner it replaced', () => {
  let seed = 11;
  const rand = (n) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let trial = 0; trial < 2000; trial++) {
    const buffers = Array.from({ length: 1 + rand(60) }, () => {
      const def = rand(30) - 1;
      return { size: rand(4) === 0 ? rand(40) : rand(3000), def, last: def + rand(10) };
    });
    assert.deepEqual(planArena(buffers), planArenaReference(buffers), JSON.stringify(buffers));
  }
});

test('planArena / plan: 100,000 inputs of one Concat and a 100,000-node chain are planned (n log n)', async () => {
  // the old planner spent ~60 s on the Concat (all its inputs die at one step); see benchmarks/load_scale.mjs
  const N = 100_000;
  const backend = await jsBackend.create();
  const inputs = Array.from({ length: N }, (_, i) => ({ name: `x${i}`, dtype: 'float32', shape: [1, 1 + (i % 5)] }));
  const width = inputs.reduce((n, s) => n + s.shape[1], 0);
  const concat = new Executor(
    {
      inputs,
      outputs: [{ name: 'y', dtype: 'float32', shape: [1, width] }],
      nodes: [{ name: 'cat', op: 'Concat', inputs: inputs.map((s) => s.name), outputs: ['y'], attrs: { axis: 1 } }],
    },
    new Map(),
    backend,
  );
  const plan = concat.plan(inputs.map((s) => s.shape));
  const inputBytes = inputs.reduce((n, s) => n + Math.ceil((4 * s.shape[1]) / ALIGN) * ALIGN, 0);
  assert.equal(
    plan.arenaBytes,
    inputBytes + Math.ceil((4 * width) / ALIGN) * ALIGN,
    'inputs and output all live at the Concat',
  );

  const nodes = Array.from({ length: N }, (_, i) => ({
    name: `r${i}`,
    op: 'Relu',
    inputs: [i ? `h${i - 1}` : 'x'],
    outputs: [`h${i}`],
    attrs: {},
  }));
  const chain = new Executor(
    {
      inputs: [{ name: 'x', dtype: 'float32', shape: [null, 4] }],
      outputs: [{ name: `h${N - 1}`, dtype: 'float32', shape: [null, 4] }],
      nodes,
    },
    new Map(),
    backend,
  );
  assert.equal(chain.plan([[2, 4]]).arenaBytes, 2 * 32, 'a chain needs two buffers at any time');
  const [y] = chain.run([tensor(Float32Array.from([-1, 2, -3, 4, 5, -6, 7, -8]), [2, 4])]);
  assert.deepEqual(Array.from(y.dataSync()), [0, 2, 0, 4, 5, 0, 7, 0]);
});

test('maxArenaBytes: a plan over the cap is ELIMIT before anything is allocated, not a RangeError', async () => {
  const backend = await jsBackend.create();
  // two small vectors broadcast to [32768, 32768] float32: 4 GiB
  const graph = {
    inputs: [
      { name: 'a', dtype: 'float32', shape: [32768, 1] },
      { name: 'b', dtype: 'float32', shape: [1, 32768] },
    ],
    outputs: [{ name: 'y', dtype: 'float32', shape: [32768, 32768] }],
    nodes: [{ name: 'outer', op: 'Add', inputs: ['a', 'b'], outputs: ['y'], attrs: {} }],
  };
  const a = tensor(new Float32Array(32768), [32768, 1]);
  const b = tensor(new Float32Array(32768), [1, 32768]);
  const capped = new Executor(graph, new Map(), backend, { maxArenaBytes: 2 ** 30 });
  assert.throws(
    () => capped.run([a, b]),
    (e) =>
      e.code === 'ELIMIT' &&
      /node 'outer' \(Add\): its output float32 \[32768, 32768\] needs 4294967296 bytes, over maxArenaBytes \(1073741824 bytes\)/.test(
        e.message,
      ),
  );
  assert.equal(capped.arenaBytes, 0, 'nothing allocated');
  // the whole arena counts too: many values each under the cap
  const chain = new Executor(
    {
      inputs: [{ name: 'x', dtype: 'float32', shape: [null, 1024] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [null, 1024] }],
      nodes: [{ name: 'r', op: 'Relu', inputs: ['x'], outputs: ['y'], attrs: {} }],
    },
    new Map(),
    backend,
    { maxArenaBytes: 10000 },
  );
  chain.run([tensor(new Float32Array(1024), [1, 1024])]); // 8 KiB: fits
  assert.throws(
    () => chain.run([tensor(new Float32Array(2048), [2, 1024])]),
    (e) =>
      e.code === 'ELIMIT' &&
      /input shapes \[2, 1024\] needs 16384 bytes of memory, over maxArenaBytes \(10000 bytes\)/.test(e.message),
  );
});

test('executor: Reshape/Flatten are views (of inputs and of weights), outputs are fresh copies', async () => {
  const backend = await jsBackend.create();
  const w = { data: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [6], dtype: 'float32' };
  const graph = {
    inputs: [{ name: 'x', dtype: 'float32', shape: [null, 2, 3] }],
    outputs: [
      { name: 'y', dtype: 'float32', shape: [null, 6] },
      { name: 'flat', dtype: 'float32', shape: [null, 6] },
    ],
    nodes: [
      { name: 'flat', op: 'Flatten', inputs: ['x'], outputs: ['flat'], attrs: { axis: 1 } },
      { name: 'w2', op: 'Reshape', inputs: ['w'], outputs: ['w2'], attrs: { shape: [1, 6] } },
      { name: 'y', op: 'Add', inputs: ['flat', 'w2'], outputs: ['y'], attrs: {} },
    ],
  };
  const ex = new Executor(graph, new Map([['w', w]]), backend);
  const x = tensor(
    Float32Array.from({ length: 12 }, (_, i) => i),
    [2, 2, 3],
  );
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
  for (let r = 0; r < 3; r++)
    single.push(Array.from((await model.predict(tensor(rows.slice(r * 20, r * 20 + 20), [1, 20]))).dataSync()));
  let plans = -1;
  for (let i = 0; i < 3; i++) {
    const batch = Array.from((await model.predict(tensor(rows, [3, 20]))).dataSync());
    if (i === 0) plans = model.memory().plans; // the self-test's shape, [1, 20] and [3, 20]
    const one = Array.from((await model.predict(tensor(rows.slice(20, 40), [1, 20]))).dataSync());
    assert.deepEqual(one, single[1]);
    const width = single[0].length;
    for (let r = 0; r < 3; r++) {
      batch
        .slice(r * width, (r + 1) * width)
        .forEach((v, j) => assert.ok(Math.abs(v - single[r][j]) < 1e-6, `row ${r}`));
    }
  }
  assert.equal(model.memory().plans, plans, 'no plan made after the first of each shape');
  model.dispose();
});

test('10,000 predict calls: arena, plans and heap do not grow', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const model = await loadModel(bundleMap('mlp-float32'));
  const x = tensor(
    Float32Array.from({ length: 60 }, (_, i) => (i % 7) / 7),
    [3, 20],
  );
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
