// trainStep reuses its label rows across calls and feeds x as it is (no per-step allocation): every
// call must still train on exactly its own x and y — new labels of the same shape, a new batch size,
// one-hot rows after class indices, and a call after one whose labels were rejected half-way through
// (the reused rows then hold that call's partial one-hot) — and neither x nor y may be written.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from '../../js_runtime/src/index.js';
import { CLASSES, FEATURES, dataset, referenceGrads, trainableBundle } from './_trainable.mjs';

const BACKENDS = ['js'];
try {
  (await loadModel(trainableBundle(), { trainable: true, backend: 'wasm' })).dispose();
  BACKENDS.push('wasm');
} catch (e) {
  if (e.code !== 'EBACKEND') throw e;
  console.log(`# wasm skipped: ${e.message}`);
}

const oneHot = (y) => {
  const rows = new Float32Array(y.length * CLASSES);
  y.forEach((c, i) => (rows[i * CLASSES + c] = 1));
  return { data: rows, shape: [y.length, CLASSES] };
};

for (const backend of BACKENDS) {
  test(`${backend}: successive trainStep calls each train on their own x and y (SGD, float64 reference)`, async () => {
    const m = await loadModel(trainableBundle(), { trainable: true, backend });
    const a = dataset(12);
    const shifted = Int32Array.from(a.y, (c) => (c + 1) % CLASSES); // same shape, other labels
    const b = dataset(5, 3); // another batch size
    const calls = [
      [a.x, a.y, a.y],
      [a.x, shifted, shifted],
      [b.x, b.y, b.y],
      [a.x, oneHot(a.y), a.y],
      [a.x, a.y, a.y],
    ];
    for (const [k, [x, y, classes]] of calls.entries()) {
      const xBefore = Float32Array.from(x.data);
      const yBefore = Float32Array.from(y.data ?? y);
      const n = x.shape[0];
      const w0 = m.getWeights();
      const ref = referenceGrads(w0.W, w0.b, x.data, classes, n);
      const { loss } = await m.trainStep(x, y);
      assert.ok(Math.abs(loss - ref.loss) < 1e-5 * ref.loss, `call ${k}: loss ${loss} vs ${ref.loss}`);
      const w1 = m.getWeights();
      w1.W.forEach((v, i) => assert.ok(Math.abs(v - (w0.W[i] - 0.5 * ref.gW[i])) < 1e-6, `call ${k}: W[${i}]`));
      w1.b.forEach((v, i) => assert.ok(Math.abs(v - (w0.b[i] - 0.5 * ref.gb[i])) < 1e-6, `call ${k}: b[${i}]`));
      assert.deepEqual(Float32Array.from(x.data), xBefore, `call ${k}: x was written`);
      assert.deepEqual(Float32Array.from(y.data ?? y), yBefore, `call ${k}: y was written`);
    }
    m.dispose();
  });

  test(`${backend}: a trainStep after one whose labels were rejected trains on its own labels`, async () => {
    const m = await loadModel(trainableBundle(), { trainable: true, backend });
    const { x, y } = dataset(12);
    await m.trainStep(x, y); // the label rows now exist for 12 examples
    const bad = Int32Array.from(y);
    bad[8] = CLASSES; // rows 0..7 are written before index 8 is rejected
    const w0 = m.getWeights();
    await assert.rejects(m.trainStep(x, bad), (e) => e.code === 'EINPUT' && /index 8/.test(e.message));
    assert.deepEqual(m.getWeights(), w0, 'a rejected step changed the weights');
    const other = Int32Array.from(y, (c) => (c + 2) % CLASSES);
    const ref = referenceGrads(w0.W, w0.b, x.data, other, 12);
    const { loss } = await m.trainStep(x, other);
    assert.ok(Math.abs(loss - ref.loss) < 1e-5 * ref.loss, `loss ${loss} vs ${ref.loss}`);
    const w1 = m.getWeights();
    w1.W.forEach((v, i) => assert.ok(Math.abs(v - (w0.W[i] - 0.5 * ref.gW[i])) < 1e-6, `W[${i}]`));
    assert.equal(FEATURES * CLASSES, w1.W.length);
    m.dispose();
  });
}
