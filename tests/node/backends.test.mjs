// The backend registry: availability with honest reasons, 'auto' order, and a backend plugged in
// through registerBackend (the way the wasm and webgpu glue will): its prepareWeights and
// allocateArena are used, a missing kernel is refused, and 'auto' prefers it over js. chooseBackend,
// the one place that picks: auto, names, the fallback after a lost device, preload. And the layering
// rule that keeps each backend's folder its own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { RUNTIME, bundleMap } from './_helpers.mjs';
import {
  AUTO_ORDER,
  WebgradError,
  checkBackend,
  getBackend,
  listBackends,
  liveResources,
  loadModel,
  registerBackend,
} from '../../js_runtime/src/index.js';
import { chooseBackend, disposeBackend } from '../../js_runtime/src/backends/index.js';
import { jsBackend } from '../../js_runtime/src/backends/js/index.js';
import { KERNELS } from '../../js_runtime/src/backends/js/kernels/index.js';

test('the registry lists js, wasm and webgpu in auto order, with reasons', async () => {
  assert.deepEqual([...AUTO_ORDER], ['webgpu', 'wasm', 'js']);
  const list = await listBackends();
  assert.deepEqual(
    list.map((b) => b.name),
    ['webgpu', 'wasm', 'js'],
  );
  const byName = Object.fromEntries(list.map((b) => [b.name, b]));
  assert.equal(byName.js.available, true);
  assert.equal(byName.wasm.available, true);
  assert.match(byName.wasm.reason, /^WebAssembly (relaxed SIMD|SIMD128 \(relaxed SIMD not supported by this engine\))/);
  assert.match(byName.webgpu.reason, /navigator\.gpu is missing/);
  assert.deepEqual(await checkBackend('nope'), {
    available: false,
    reason: 'unknown backend; registered: js, wasm, webgpu',
  });
  assert.throws(
    () => getBackend('nope'),
    (e) => e instanceof WebgradError && e.code === 'EBACKEND',
  );
  assert.throws(
    () => registerBackend('auto', jsBackend),
    (e) => e.code === 'EARG',
  );
  assert.throws(
    () => registerBackend('x', {}),
    (e) => e.code === 'EARG',
  );
});

/** A backend wrapping the js kernels that records what the executor asks of it. */
function recordingBackend(log, kernels = KERNELS) {
  return {
    description: 'test backend',
    available: () => ({ available: true, reason: 'test double' }),
    async create() {
      const inner = await jsBackend.create();
      return {
        ...inner,
        name: 'recording',
        kernels,
        prepareWeights(weights, nodes) {
          log.push(`prepareWeights ${weights.size} ${nodes.length}`);
          return inner.prepareWeights(weights, nodes);
        },
        allocateArena(bytes) {
          log.push(`allocateArena ${bytes}`);
          return inner.allocateArena(bytes);
        },
        releaseArena(memory) {
          log.push('releaseArena');
          inner.releaseArena(memory);
        },
      };
    },
  };
}

test('a registered backend plugs in: weights prepared once, one arena, released at dispose', async () => {
  const log = [];
  registerBackend('recording', recordingBackend(log));
  const model = await loadModel(bundleMap('mlp-float32'), { backend: 'recording' });
  assert.equal(model.backend, 'recording');
  assert.equal(model.backendReason, "requested 'recording'");
  await model.predict({ data: new Float32Array(20), shape: [1, 20] });
  model.dispose();
  assert.equal(log.filter((l) => l.startsWith('prepareWeights')).length, 1);
  assert.equal(log.at(-1), 'releaseArena');
  assert.deepEqual(liveResources(), { models: 0, backends: 0, arenaBytes: 0, weightsBytes: 0 });
});

test('preload: started at the beginning of loadModel with the options; a failing one does not fail the load', async () => {
  const calls = [];
  const log = [];
  registerBackend('preloading', {
    ...recordingBackend(log),
    preload(options) {
      calls.push({ when: log.length, wasmVariant: options.wasmVariant });
      throw new Error('preload failed');
    },
  });
  const model = await loadModel(bundleMap('mlp-float32'), { backend: 'preloading', wasmVariant: 'simd' });
  assert.deepEqual(calls, [{ when: 0, wasmVariant: 'simd' }], 'called once, before the weights were prepared');
  model.dispose();
  // 'auto' preloads wasm when no GPU is at hand, and nothing for a backend that is not named
  const placeholder = getBackend('wasm');
  try {
    registerBackend('wasm', { ...recordingBackend([]), preload: () => calls.push('wasm') });
    (await loadModel(bundleMap('mlp-float32'))).dispose();
    assert.equal(calls.at(-1), 'wasm');
    (await loadModel(bundleMap('mlp-float32'), { backend: 'js' })).dispose();
    assert.equal(calls.length, 2);
  } finally {
    registerBackend('wasm', placeholder);
  }
  assert.deepEqual(liveResources(), { models: 0, backends: 0, arenaBytes: 0, weightsBytes: 0 });
});

test('a backend without a kernel the model needs is refused, naming the op', async () => {
  const { Softmax, ...partial } = KERNELS;
  assert.ok(Softmax);
  registerBackend('partial', recordingBackend([], partial));
  await assert.rejects(
    loadModel(bundleMap('mlp-float32'), { backend: 'partial' }),
    (e) => e.code === 'EBACKEND' && /has no kernel for Softmax/.test(e.message),
  );
  assert.deepEqual(liveResources(), { models: 0, backends: 0, arenaBytes: 0, weightsBytes: 0 });
});

test("'auto' prefers an available wasm backend over js, and says why", async () => {
  const placeholder = getBackend('wasm');
  try {
    registerBackend('wasm', recordingBackend([]));
    const model = await loadModel(bundleMap('mlp-float32'));
    assert.equal(model.backend, 'recording');
    assert.match(model.backendReason, /^auto: picked 'wasm'/);
    model.dispose();
  } finally {
    registerBackend('wasm', placeholder);
  }
});

// ---- chooseBackend: the one place that picks a backend ----

const GRAPH = { nodes: [{ op: 'MatMul' }, { op: 'Reshape' }, { op: 'Softmax' }] };
const LIVE_NONE = { models: 0, backends: 0, arenaBytes: 0, weightsBytes: 0 };

/** Runs `body` with backends `name` replaced by `factory`, restoring the registered ones after. */
async function withBackends(replacements, body) {
  const saved = Object.fromEntries(Object.keys(replacements).map((n) => [n, getBackend(n)]));
  try {
    for (const [n, f] of Object.entries(replacements)) registerBackend(n, f);
    return await body();
  } finally {
    for (const [n, f] of Object.entries(saved)) registerBackend(n, f);
  }
}

test('chooseBackend: after a lost device, the backends after it in AUTO_ORDER, each tried to the end', async () => {
  const created = [];
  const failing = {
    ...recordingBackend([]),
    create: async (options) => {
      created.push(['wasm', options.wasmVariant]);
      return recordingBackend([]).create();
    },
  };
  await withBackends({ wasm: failing }, async () => {
    // wasm is created with the model's wasmVariant, fails `accept` (a self-test) and is disposed; js takes over
    const accepted = [];
    const got = await chooseBackend({ afterLost: 'webgpu' }, GRAPH, {
      wasmVariant: 'simd',
      accept: (b) => {
        accepted.push(b.name);
        if (b.name === 'recording') throw new WebgradError('ESELFTEST', 'self-test failed on recording');
        return 'executor';
      },
    });
    assert.deepEqual(created, [['wasm', 'simd']]);
    assert.deepEqual(accepted, ['recording', 'js']);
    assert.equal(got.instance.name, 'js');
    assert.equal(got.accepted, 'executor');
    assert.equal(got.reason, "moved to 'js' after the webgpu device was lost");
    disposeBackend(got.instance);
    assert.deepEqual(liveResources(), LIVE_NONE);
    // every one failing: EBACKEND with each reason, nothing left allocated
    await assert.rejects(
      chooseBackend({ afterLost: 'webgpu' }, GRAPH, {
        accept: () => {
          throw new Error('no');
        },
      }),
      (e) =>
        e.code === 'EBACKEND' &&
        e.message === 'the webgpu device was lost and no CPU backend can take over: wasm: no; js: no',
    );
    assert.deepEqual(liveResources(), LIVE_NONE);
  });
  // the order is AUTO_ORDER's: after wasm only js is left; after the last one, none
  const afterWasm = await chooseBackend({ afterLost: 'wasm' }, GRAPH);
  assert.equal(afterWasm.instance.name, 'js');
  disposeBackend(afterWasm.instance);
  await assert.rejects(chooseBackend({ afterLost: 'js' }, GRAPH), /no backend after 'js' in webgpu, wasm, js/);
  assert.deepEqual(liveResources(), LIVE_NONE);
});

test('chooseBackend: a backend without a kernel is passed over by auto, named by the fallback, refused by name', async () => {
  const { Softmax, ...partial } = KERNELS;
  assert.ok(Softmax);
  await withBackends({ wasm: recordingBackend([], partial) }, async () => {
    const auto = await chooseBackend('auto', GRAPH);
    assert.equal(auto.instance.name, 'js');
    assert.match(
      auto.reason,
      /^auto: picked 'js' \(the first available of webgpu, wasm, js\); skipped webgpu: .*; wasm: backend 'wasm' has no kernel for Softmax$/,
    );
    disposeBackend(auto.instance);
    const after = await chooseBackend({ afterLost: 'webgpu' }, GRAPH);
    assert.equal(after.instance.name, 'js');
    disposeBackend(after.instance);
    await assert.rejects(
      chooseBackend('wasm', GRAPH),
      (e) => e.code === 'EBACKEND' && e.message === "backend 'wasm' has no kernel for Softmax",
    );
  });
  // Reshape is a view the executor makes itself: no kernel needed
  const { Reshape, ...noReshape } = KERNELS;
  assert.ok(Reshape);
  registerBackend('noreshape', recordingBackend([], noReshape));
  const named = await chooseBackend('noreshape', GRAPH);
  assert.equal(named.reason, "requested 'noreshape'");
  disposeBackend(named.instance);
  assert.deepEqual(liveResources(), LIVE_NONE);
});

test('chooseBackend: preloads at the call, before the graph is read; a failed read creates nothing', async () => {
  const log = [];
  const factory = {
    ...recordingBackend(log),
    preload: () => log.push('preload'),
    create: async () => {
      log.push('create');
      return recordingBackend([]).create();
    },
  };
  await withBackends({ wasm: factory }, async () => {
    let readGraph;
    const pending = chooseBackend(
      'auto',
      new Promise((resolve) => {
        readGraph = resolve;
      }),
    );
    assert.deepEqual(
      log,
      ['preload'],
      'auto without a GPU object: the first of AUTO_ORDER after webgpu, preloaded synchronously',
    );
    readGraph(GRAPH);
    const got = await pending;
    assert.deepEqual(log, ['preload', 'create']);
    disposeBackend(got.instance);
    const bad = new WebgradError('EJSON', 'model.json: not JSON');
    await assert.rejects(chooseBackend('wasm', Promise.reject(bad)), (e) => e === bad);
    assert.deepEqual(log, ['preload', 'create', 'preload'], 'nothing created for a graph that never came');
    // a GPU object at hand: webgpu's adapter decides later, nothing is preloaded
    const gotGpu = await chooseBackend('auto', GRAPH, { gpu: { requestAdapter: async () => null } });
    assert.equal(gotGpu.instance.name, 'recording');
    assert.deepEqual(log.filter((l) => l === 'preload').length, 2);
    disposeBackend(gotGpu.instance);
  });
  await assert.rejects(
    chooseBackend(7, GRAPH),
    (e) => e.code === 'EARG' && /backend must be a string, got number/.test(e.message),
  );
  assert.deepEqual(liveResources(), LIVE_NONE);
});

// ---- layering: a backend's folder is its own ----

test("no file outside a backend folder imports from it (only the registry imports each backend's index.js)", () => {
  const src = join(RUNTIME, 'src');
  const backendsDir = join(src, 'backends');
  const folders = readdirSync(backendsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(backendsDir, d.name));
  assert.deepEqual(folders.map((f) => basename(f)).sort(), ['js', 'wasm', 'webgpu']);
  const files = (/** @type {string} */ dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
      const p = join(dir, d.name);
      return d.isDirectory() ? files(p) : p.endsWith('.js') ? [p] : [];
    });
  // static imports and re-exports, side-effect imports, dynamic import() and JSDoc import('...') types
  const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\1/g;
  const bad = [];
  let seen = 0;
  for (const file of files(src)) {
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (!m[2].startsWith('.')) continue;
      seen++;
      const target = resolve(dirname(file), m[2]);
      const folder = folders.find((f) => target.startsWith(f + sep));
      if (!folder || file.startsWith(folder + sep)) continue;
      if (file === join(backendsDir, 'index.js') && target === join(folder, 'index.js')) continue;
      bad.push(`${relative(src, file)} imports ${m[2]}`);
    }
  }
  assert.ok(seen > 100, `the scan found only ${seen} relative imports`);
  assert.deepEqual(bad, [], "shared code belongs in src/ (e.g. src/math/), not in one backend's folder");
});
