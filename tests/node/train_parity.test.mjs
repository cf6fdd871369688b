// Training parity with Python: the trainable bundles of tests/node/make_fixtures.py (MLP, MNIST CNN, a
// small MobileNetV2-style net; SGD with momentum/Nesterov and Adam) trained in Node for 20 steps on the
// same fixed batches must reproduce the numpy backend's per-step losses and final weights within 1e-4
// (relative, with a 1e-4 floor for values near 0), on js and on wasm.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, saveBundle } from '../../js_runtime/src/index.js';
import { ROOT, fixtureIndex, fixturesDir } from './_helpers.mjs';

const TOL = 1e-4;

/** @returns {Float32Array | Int32Array} */
function readBin(file, Ctor = Float32Array) {
  const b = readFileSync(join(fixturesDir(), file));
  return new Ctor(b.buffer, b.byteOffset, b.byteLength / Ctor.BYTES_PER_ELEMENT).slice();
}

const close = (got, want) => Math.abs(got - want) <= TOL * Math.max(Math.abs(want), 1);

let entries = [];
let why = null;
try {
  entries = fixtureIndex().training ?? [];
  if (!entries.length) why = 'fixtures.json has no "training" entries (tests/node/make_fixtures.py)';
} catch (e) {
  why = `the Python fixtures could not be made: ${e.message.split('\n')[0]}`;
}
if (why) test('training parity', { skip: why }, () => {});

for (const entry of entries) {
  for (const backend of ['js', 'wasm']) {
    test(`${backend}: ${entry.name}: ${entry.steps} ${entry.optimizer} steps match the numpy backend`, async (t) => {
      let model;
      try {
        model = await loadModel(join(fixturesDir(), entry.bundle), { trainable: true, backend });
      } catch (e) {
        if (e.code === 'EBACKEND') return t.skip(`${backend} cannot train it yet: ${e.message}`);
        throw e;
      }
      const x = readBin(entry.x);
      const labels = readBin(entry.labels, Int32Array);
      const losses = readBin(entry.losses);
      const row = x.length / entry.xShape[0];
      const B = entry.batchSize;
      for (let k = 0; k < entry.steps; k++) {
        const xb = { data: x.subarray(k * B * row, (k + 1) * B * row), shape: [B, ...entry.xShape.slice(1)] };
        const { loss } = await model.trainStep(xb, labels.subarray(k * B, (k + 1) * B));
        assert.ok(close(loss, losses[k]), `step ${k + 1}: loss ${loss}, Python ${losses[k]}`);
      }
      const want = readBin(entry.weights);
      const got = model.getWeights();
      let worst = { err: 0, where: '' };
      for (const { name, shape, offset } of entry.weightsLayout) {
        const w = got[name];
        assert.equal(
          w.length,
          shape.reduce((a, b) => a * b, 1),
          name,
        );
        for (let i = 0; i < w.length; i++) {
          const err = Math.abs(w[i] - want[offset + i]) / Math.max(Math.abs(want[offset + i]), 1);
          if (err > worst.err) worst = { err, where: `${name}[${i}]: ${w[i]} vs Python ${want[offset + i]}` };
        }
      }
      assert.ok(worst.err <= TOL, `weights differ by ${worst.err} at ${worst.where}`);
      const state = JSON.parse(/** @type {string} */ ((await model.toBundle())['model.json'])).training.state;
      assert.equal(state.iterations, entry.iterations);
      model.dispose();
    });
  }
}

// Round trip: Python export -> Node fit -> toBundle/saveBundle -> Python wg.load_model -> predict equals
// Node's within 1e-5, with the optimizer state carried over.
const ROUND_TRIP = entries.find((e) => e.name === 'cnn-train-adam');
test(
  'round trip: a bundle trained in Node reads back in Python (weights, Adam state, predictions)',
  {
    skip: ROUND_TRIP ? false : why || 'no cnn-train-adam fixture',
  },
  async () => {
    const e = ROUND_TRIP;
    const model = await loadModel(join(fixturesDir(), e.bundle), { trainable: true, backend: 'wasm' });
    const row = e.xShape.slice(1).reduce((a, b) => a * b, 1);
    const x = readBin(e.x).slice(0, 16 * row);
    const y = readBin(e.labels, Int32Array).slice(0, 16);
    await model.fit({ data: x, shape: [16, ...e.xShape.slice(1)] }, y, { epochs: 2, batchSize: 8, seed: 2 });
    const dir = mkdtempSync(join(tmpdir(), 'wg-roundtrip-'));
    await saveBundle(await model.toBundle(), join(dir, 'bundle'));
    const probe = x.slice(0, 4 * row);
    const want = (await model.predict({ data: probe, shape: [4, ...e.xShape.slice(1)] })).dataSync();
    writeFileSync(join(dir, 'x.bin'), probe);
    const script = `
import sys, json, numpy as np, webgrad as wg
m = wg.load_model(sys.argv[1] + "/bundle")
x = np.fromfile(sys.argv[1] + "/x.bin", np.float32).reshape(4, *json.loads(sys.argv[2]))
print(json.dumps({"pred": np.asarray(m.predict(x)).ravel().tolist(), "iterations": m.optimizer.iterations}))`;
    const out = JSON.parse(
      execFileSync('python3', ['-c', script, dir, JSON.stringify(e.xShape.slice(1))], {
        cwd: ROOT,
        env: { ...process.env, PYTHONPATH: ROOT },
      }).toString(),
    );
    assert.equal(out.iterations, 4);
    out.pred.forEach((v, i) =>
      assert.ok(Math.abs(v - want[i]) <= 1e-5, `prediction ${i}: Python ${v}, Node ${want[i]}`),
    );
    model.dispose();
  },
);
