// The wasm backend's optimizer updates (wg_sgd_update, wg_adam_update, reached through the backend's
// optimizerUpdate hook) give the same bits as the JS loops of train/optimizers.js: SGD plain, momentum,
// Nesterov and Adam, 20 steps on random weights and gradients, with lengths that are not multiples of 4
// (the kernels' scalar tails). The JS loops are themselves checked against Python in train_parity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWasmBackend } from '../../js_runtime/src/backends/wasm/index.js';
import { Optimizer } from '../../js_runtime/src/train/optimizers.js';

const SIZES = new Map([
  ['w/a', 67], // 16 * 4 + 3: SIMD body and scalar tail
  ['w/b', 3], // tail only
  ['w/c', 128],
]);
const CONFIGS = [
  { name: 'sgd', learning_rate: 0.05 },
  { name: 'sgd', learning_rate: 0.05, momentum: 0.9 },
  { name: 'sgd', learning_rate: 0.05, momentum: 0.9, nesterov: true },
  { name: 'adam', learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 },
];

/** A seeded generator (mulberry32) of floats in [-scale, scale). */
function random(seed) {
  let a = seed >>> 0;
  return (scale) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  };
}

/** Bit patterns, so -0 vs 0 and NaN payloads count as differences. */
const bits = (a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

async function run(config, { hosted }) {
  const rand = random(7);
  const backend = await createWasmBackend();
  const weights = new Map();
  for (const [name, n] of SIZES) {
    const data = new Float32Array(n).map(() => rand(1));
    weights.set(name, { data, shape: [n], dtype: 'float32' });
  }
  const prepared = backend.prepareWeights(weights, [], { plain: SIZES.keys() });
  const js = new Map([...weights].map(([k, v]) => [k, Float32Array.from(v.data)]));
  const wasmOpt = new Optimizer(config, SIZES);
  const jsOpt = new Optimizer(config, SIZES);
  // not hosted: a backend that cannot take the slots, so they stay JS arrays and the hook must decline
  // (the weights and gradients are in linear memory; the slots are not)
  wasmOpt.useBackend(
    hosted ? backend : { ...backend, adoptArray: undefined, optimizerUpdate: (...a) => backend.optimizerUpdate(...a) },
  );
  // the gradients in the arena, as a training step leaves them
  const total = [...SIZES.values()].reduce((a, b) => a + b, 0);
  const arena = backend.allocateArena(total * 4);
  let calls = 0;
  const hook = backend.optimizerUpdate;
  backend.optimizerUpdate = (...args) => {
    const done = hook.apply(backend, args);
    if (done) calls += 1;
    return done;
  };
  for (let step = 0; step < 20; step++) {
    const grads = new Map();
    let offset = arena.byteOffset;
    for (const [name, n] of SIZES) {
      const g = new Float32Array(arena.buffer, offset, n);
      for (let i = 0; i < n; i++) g[i] = rand(step === 3 ? 1e-30 : 2); // a step of tiny gradients too
      grads.set(name, g);
      offset += n * 4;
    }
    wasmOpt.apply(grads, (name) => prepared.get(name).data);
    jsOpt.apply(new Map([...grads].map(([k, g]) => [k, Float32Array.from(g)])), (name) => js.get(name));
  }
  for (const name of SIZES.keys()) {
    assert.deepEqual(bits(prepared.get(name).data), bits(js.get(name)), `${config.name} weight ${name}`);
    for (const k of wasmOpt.slotNames)
      assert.deepEqual(bits(wasmOpt.slots.get(name)[k]), bits(jsOpt.slots.get(name)[k]), `${name} slot ${k}`);
  }
  backend.releaseArena(arena);
  backend.dispose();
  return calls;
}

for (const config of CONFIGS) {
  const label = `${config.name}${config.momentum ? ` momentum${config.nesterov ? ' nesterov' : ''}` : ''}`;
  test(`wasm optimizer update == JS update bit for bit: ${label}`, async () => {
    const calls = await run(config, { hosted: true });
    assert.equal(calls, 20 * SIZES.size, 'every update ran in wasm');
  });
}

test('slots left in JS memory: the JS loops run (the hook declines), same bits', async () => {
  for (const config of CONFIGS.slice(1)) assert.equal(await run(config, { hosted: false }), 0, config.name);
});
