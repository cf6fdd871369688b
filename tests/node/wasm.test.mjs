// The wasm backend beyond the shared vectors and the end-to-end fixtures (kernels.test.mjs and
// e2e.test.mjs run those on it): 'auto' picks it and says which build; the SIMD128 build can be forced
// on an engine with relaxed SIMD (a child Node.js with --experimental-wasm-relaxed-simd); 10,000
// predict calls do not grow linear memory; an arena that outgrows memory moves it without changing a
// result; failed loads leave nothing allocated; `webgrad bench --backend wasm` runs; weights are
// packed at load, keeping a raw copy only when a use needs one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { RUNTIME, bundleMap, fixtureIndex, fixturesDir, maxAbsDiff } from './_helpers.mjs';
import { checkBackend, liveResources, loadModel, tensor } from '../../js_runtime/src/index.js';
import { compileVariant, detectFeatures } from '../../js_runtime/src/backends/wasm/module.js';
import { wasmBackend } from '../../js_runtime/src/backends/wasm/index.js';

const run = promisify(execFile);
const NOTHING = { models: 0, backends: 0, arenaBytes: 0, weightsBytes: 0 };

test("'auto' picks wasm and names the build and why", async () => {
  const features = detectFeatures();
  assert.ok(features.simd, 'this Node.js validates SIMD128');
  const model = await loadModel(bundleMap('mlp-float32'), { threads: 1 });
  assert.equal(model.backend, 'wasm');
  const build = features.relaxed
    ? 'webgrad-relaxed.wasm: relaxed SIMD; 1 thread (threads: 1)'
    : 'webgrad-simd.wasm: SIMD128 (relaxed SIMD not supported by this engine); 1 thread (threads: 1)';
  assert.ok(
    model.backendReason.startsWith(
      `auto: picked 'wasm': ${build} (the first available of webgpu, wasm, js); skipped webgpu: `,
    ),
    model.backendReason,
  );
  assert.ok(model.memory().deviceBytes > 0);
  model.dispose();
  assert.deepEqual(liveResources(), NOTHING);
});

/** A script run in a child Node.js: loads every fixture with the given wasm variants and prints JSON. */
const CHILD = `
import { loadModel, tensor, liveResources } from ${JSON.stringify(pathToFileURL(join(RUNTIME, 'src', 'index.js')).href)};
import { detectFeatures } from ${JSON.stringify(pathToFileURL(join(RUNTIME, 'src', 'backends', 'wasm', 'module.js')).href)};
import { readFileSync } from 'node:fs';
const [dir, cases] = JSON.parse(process.argv.at(-1));
const f32 = (p) => { const b = readFileSync(p); const o = new Float32Array(b.byteLength / 4); new Uint8Array(o.buffer).set(b); return o; };
const out = { features: detectFeatures(), runs: [] };
for (const wasmVariant of ['auto', 'simd', 'relaxed']) {
  for (const c of cases) {
    try {
      const m = await loadModel(dir + '/' + c.bundle, { backend: 'wasm', wasmVariant, threads: 1 });
      const y = (await m.predict(tensor(f32(dir + '/' + c.input), c.inputShape))).dataSync();
      const want = f32(dir + '/' + c.output);
      let diff = 0;
      for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(y[i] - want[i]));
      out.runs.push({ wasmVariant, bundle: c.bundle, reason: m.backendReason, diff });
      m.dispose();
    } catch (e) {
      out.runs.push({ wasmVariant, bundle: c.bundle, error: e.code + ' ' + e.message });
    }
  }
}
out.live = liveResources();
console.log(JSON.stringify(out));
`;

/** @param {string[]} flags */
async function child(flags) {
  const cases = fixtureIndex().cases.filter((c) => c.quantize === 'float32');
  const { stdout } = await run(
    process.execPath,
    [...flags, '--input-type=module', '-e', CHILD, JSON.stringify([fixturesDir(), cases])],
    { maxBuffer: 1 << 24 },
  );
  return JSON.parse(stdout);
}

test('with relaxed SIMD (--experimental-wasm-relaxed-simd): relaxed by default, SIMD128 when asked; both match Python', async () => {
  const out = await child(['--experimental-wasm-relaxed-simd']);
  assert.ok(out.features.relaxed, 'the flag turns relaxed SIMD on in this Node.js');
  for (const r of out.runs) {
    assert.equal(r.error, undefined, `${r.wasmVariant} ${r.bundle}: ${r.error}`);
    assert.ok(r.diff <= 1e-4, `${r.wasmVariant} ${r.bundle}: max |node - python| ${r.diff}`);
    const build =
      r.wasmVariant === 'simd'
        ? 'webgrad-simd.wasm: SIMD128 (relaxed SIMD available, not used: wasmVariant simd)'
        : 'webgrad-relaxed.wasm: relaxed SIMD';
    assert.equal(r.reason, `requested 'wasm': ${build}; 1 thread (threads: 1)`);
  }
  assert.deepEqual(out.live, NOTHING);
});

test('without relaxed SIMD: the SIMD128 build; asking for relaxed is EBACKEND and leaves nothing allocated', async (t) => {
  const out = await child(['--no-experimental-wasm-relaxed-simd']);
  if (out.features.relaxed) {
    t.skip('this Node.js has relaxed SIMD on by default');
    return;
  }
  for (const r of out.runs) {
    if (r.wasmVariant === 'relaxed') {
      assert.match(
        r.error,
        /^EBACKEND wasmVariant 'relaxed' is not available here: this engine does not support relaxed SIMD/,
      );
      continue;
    }
    assert.equal(r.error, undefined);
    assert.ok(r.diff <= 1e-4);
    assert.match(r.reason, /^requested 'wasm': webgrad-simd\.wasm: SIMD128/);
  }
  assert.deepEqual(out.live, NOTHING);
});

test('10,000 predict calls on wasm: linear memory, arena and plans do not grow', async () => {
  const model = await loadModel(join(fixturesDir(), 'mlp-float32'), { backend: 'wasm' });
  const x = tensor(new Float32Array(20).fill(0.25), [1, 20]);
  const first = Array.from((await model.predict(x)).dataSync());
  const mem0 = model.memory();
  let last = null;
  for (let i = 0; i < 10000; i++) last = model.predict(x);
  assert.deepEqual(Array.from((await last).dataSync()), first);
  assert.deepEqual(model.memory(), mem0);
  model.dispose();
  assert.deepEqual(liveResources(), NOTHING);
});

test('an arena that outgrows linear memory moves it mid-model; every result stays equal to js', async () => {
  const dir = fixturesDir();
  const [wasm, js] = await Promise.all(
    ['wasm', 'js'].map((backend) => loadModel(join(dir, 'cnn-float32'), { backend })),
  );
  const bytes0 = wasm.memory().deviceBytes;
  for (const batch of [1, 3, 64, 2]) {
    const data = Float32Array.from({ length: batch * 28 * 28 }, (_, i) => ((i * 7919) % 255) / 255);
    const x = tensor(data, [batch, 28, 28, 1]);
    const diff = maxAbsDiff((await wasm.predict(x)).dataSync(), (await js.predict(x)).dataSync());
    assert.ok(diff <= 1e-5, `batch ${batch}: max |wasm - js| ${diff}`);
  }
  assert.ok(wasm.memory().deviceBytes > bytes0, 'memory grew for batch 64');
  wasm.dispose();
  js.dispose();
  assert.deepEqual(liveResources(), NOTHING);
});

test('a failed wasm load (self-test failure) leaves nothing allocated', async () => {
  const b = bundleMap('mlp-float32');
  const out = b['model.json'].selftest.outputs[0];
  const values = new Float32Array(new Uint8Array(Buffer.from(out.data, 'base64')).buffer);
  values[0] += 1;
  out.data = Buffer.from(values.buffer).toString('base64');
  await assert.rejects(
    loadModel(b, { backend: 'wasm' }),
    (e) => e.code === 'ESELFTEST' && /on backend 'wasm'/.test(e.message),
  );
  assert.deepEqual(liveResources(), NOTHING);
  assert.equal((await checkBackend('wasm')).available, true, 'and the backend still works');
});

test('webgrad bench --backend wasm', async () => {
  const { stdout } = await run(process.execPath, [
    join(RUNTIME, 'bin', 'webgrad.js'),
    'bench',
    join(fixturesDir(), 'cnn-float32'),
    '--backend',
    'wasm',
    '--batch',
    '2',
    '--runs',
    '5',
    '--warmup',
    '1',
    '--json',
  ]);
  const r = JSON.parse(stdout);
  assert.equal(r.backend, 'wasm');
  assert.equal(r.runs, 5);
  assert.ok(r.p50 > 0 && r.weightsBytes > 0 && r.arenaBytes > 0);
});

test('prepareWeights: MatMul weights are packed; the raw copy is kept only when some use needs it', async () => {
  const backend = await wasmBackend.create();
  try {
    const w = Float32Array.from({ length: 5 * 11 }, (_, i) => Math.sin(i));
    const view = (data, shape) => ({ data, shape, dtype: 'float32' });
    const attrs = { transpose_a: false, transpose_b: false, activation: 'none', alpha: 0.2 };
    const nodes = [
      { name: 'mm', op: 'MatMul', inputs: ['x', 'packed_only', ''], outputs: ['y'], attrs },
      { name: 'mm2', op: 'MatMul', inputs: ['x', 'shared', ''], outputs: ['z'], attrs },
      { name: 'add', op: 'Add', inputs: ['z', 'shared'], outputs: ['u'], attrs: {} },
    ];
    const prepared = backend.prepareWeights(
      new Map([
        ['packed_only', view(w, [5, 11])],
        ['shared', view(w, [5, 11])],
      ]),
      nodes,
    );
    const only = prepared.get('packed_only');
    const shared = prepared.get('shared');
    assert.equal(typeof only.packed, 'number');
    assert.equal(only.data.length, 0, 'no raw copy of a weight only read packed');
    assert.equal(typeof shared.packed, 'number');
    assert.deepEqual(Array.from(shared.data), Array.from(w));
    const arena = backend.allocateArena(4 * (3 * 5 + 3 * 11 * 2));
    const x = view(new Float32Array(arena.buffer, arena.byteOffset, 15), [3, 5]);
    x.data.set(Float32Array.from({ length: 15 }, (_, i) => i / 7 - 1));
    const want = new Float32Array(33);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 11; j++) for (let k = 0; k < 5; k++) want[i * 11 + j] += x.data[i * 5 + k] * w[k * 11 + j];
    for (const b of [only, shared]) {
      const y = view(new Float32Array(arena.buffer, arena.byteOffset + 60, 33), [3, 11]);
      backend.kernels.MatMul([x, b, null], attrs, y);
      assert.ok(maxAbsDiff(new Float32Array(arena.buffer, arena.byteOffset + 60, 33), want) < 1e-5);
    }
    backend.releaseArena(arena);
  } finally {
    backend.dispose();
  }
});

test('preload starts compiling the build create() will use, into the shared cache', async () => {
  // in this process the module may be compiled already; a child process starts from nothing
  const script = `
    const { wasmBackend } = await import(${JSON.stringify(pathToFileURL(join(RUNTIME, 'src/backends/wasm/index.js')).href)});
    const { compileVariant } = await import(${JSON.stringify(pathToFileURL(join(RUNTIME, 'src/backends/wasm/module.js')).href)});
    const orig = WebAssembly.compile;
    let compiles = 0;
    WebAssembly.compile = (...a) => { compiles++; return orig(...a); };
    wasmBackend.preload({ wasmVariant: 'simd' });
    for (let i = 0; i < 200 && compiles === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const beforeCreate = compiles;
    (await wasmBackend.create({ wasmVariant: 'simd' })).dispose();
    console.log(JSON.stringify({ beforeCreate, compiles }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  // preload alone compiled the module; create() reused it
  assert.deepEqual(JSON.parse(stdout), { beforeCreate: 1, compiles: 1 });
  assert.equal(compileVariant('simd'), compileVariant('simd'));
  assert.doesNotThrow(
    () => wasmBackend.preload?.({ wasmVariant: 'relaxed' }),
    'never throws, even for a build the engine lacks',
  );
});

test('ArgMax over a size-0 axis is ESHAPE on js and wasm alike, at planning (was index 0 on js, EBACKEND on wasm)', async () => {
  const { Executor } = await import('../../js_runtime/src/executor.js');
  const { Tensor } = await import('../../js_runtime/src/tensor.js');
  const { getBackend } = await import('../../js_runtime/src/backends/index.js');
  for (const name of ['js', 'wasm']) {
    const backend = await getBackend(name).create();
    try {
      // the axis is unknown (null) in the graph, so the graph is fine until a zero-size input arrives
      const graph = {
        inputs: [{ name: 'x', dtype: 'float32', shape: [2, null, 3] }],
        outputs: [{ name: 'y', dtype: 'int32', shape: [2, 3] }],
        nodes: [{ name: 'am', op: 'ArgMax', inputs: ['x'], outputs: ['y'], attrs: { axis: 1, keepdims: false } }],
      };
      const executor = new Executor(graph, backend.prepareWeights(new Map(), graph.nodes), backend);
      const [ok] = executor.run([
        new Tensor(new Float32Array([1, 5, 2, 7, 0, 3, 0, 0, 9, 1, 1, 1]), [2, 2, 3], 'float32'),
      ]);
      assert.deepEqual(Array.from(await ok.data()), [1, 0, 1, 1, 1, 0], name);
      assert.throws(
        () => executor.run([new Tensor(new Float32Array(0), [2, 0, 3], 'float32')]),
        (e) => e.code === 'ESHAPE' && /ArgMax: axis 1 of x \[2, 0, 3\] has size 0/.test(e.message),
        name,
      );
      executor.dispose();
    } finally {
      backend.dispose();
    }
  }
});
