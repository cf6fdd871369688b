// The backend registry: availability with honest reasons, 'auto' order, and a backend plugged in
// through registerBackend (the way the wasm and webgpu glue will): its prepareWeights and
// allocateArena are used, a missing kernel is refused, and 'auto' prefers it over js.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundleMap } from './_helpers.mjs';
import { AUTO_ORDER, WebgradError, checkBackend, getBackend, listBackends, liveResources, loadModel, registerBackend } from '../../js_runtime/src/index.js';
import { jsBackend } from '../../js_runtime/src/backends/js/index.js';
import { KERNELS } from '../../js_runtime/src/backends/js/kernels/index.js';

test('the registry lists js, wasm and webgpu in auto order, with reasons', async () => {
  assert.deepEqual([...AUTO_ORDER], ['webgpu', 'wasm', 'js']);
  const list = await listBackends();
  assert.deepEqual(list.map((b) => b.name), ['webgpu', 'wasm', 'js']);
  const byName = Object.fromEntries(list.map((b) => [b.name, b]));
  assert.equal(byName.js.available, true);
  assert.equal(byName.wasm.available, true);
  assert.match(byName.wasm.reason, /^WebAssembly (relaxed SIMD|SIMD128 \(relaxed SIMD not supported by this engine\))/);
  assert.match(byName.webgpu.reason, /navigator\.gpu is missing/);
  assert.deepEqual(await checkBackend('nope'), { available: false, reason: 'unknown backend; registered: js, wasm, webgpu' });
  assert.throws(() => getBackend('nope'), (e) => e instanceof WebgradError && e.code === 'EBACKEND');
  assert.throws(() => registerBackend('auto', jsBackend), (e) => e.code === 'EARG');
  assert.throws(() => registerBackend('x', {}), (e) => e.code === 'EARG');
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
  registerBackend('preloading', { ...recordingBackend(log), preload(options) {
    calls.push({ when: log.length, wasmVariant: options.wasmVariant });
    throw new Error('preload failed');
  } });
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
  await assert.rejects(loadModel(bundleMap('mlp-float32'), { backend: 'partial' }), (e) => e.code === 'EBACKEND' && /has no kernel for Softmax/.test(e.message));
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
