// The npm training API on a small trainable bundle made in JS (tests/node/_trainable.mjs): loading for
// training, trainStep against float64 reference gradients, fit/evaluate, the optimizers against the
// Python reference (authoring/optimizers.py, through python3 when it is there), getWeights/setWeights,
// toBundle/saveBundle round trips, every error with its code, and memory across many steps.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, liveResources, saveBundle } from '../../js_runtime/src/index.js';
import { Optimizer } from '../../js_runtime/src/train/optimizers.js';
import { matmulBundle } from './_synthetic.mjs';
import { CLASSES, FEATURES, dataset, noise, referenceGrads, trainableBundle } from './_trainable.mjs';
import { ROOT } from './_helpers.mjs';

/** The backends that can train this bundle here (wasm once its gradient kernels exist). */
async function trainingBackends() {
  const out = ['js'];
  try {
    (await loadModel(trainableBundle(), { trainable: true, backend: 'wasm' })).dispose();
    out.push('wasm');
  } catch (e) {
    if (e.code !== 'EBACKEND') throw e;
    console.log(`# wasm skipped: ${e.message}`);
  }
  return out;
}
const BACKENDS = await trainingBackends();

const load = (backend, opts = {}) => loadModel(trainableBundle(opts), { trainable: true, backend });

async function rejects(promise, code, pattern) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

test('a plain bundle loaded with trainable: true is ENOT_TRAINABLE, naming how to export one', async () => {
  await rejects(loadModel(matmulBundle(2, 2), { trainable: true, backend: 'js' }), 'ENOT_TRAINABLE', /trainable=True/);
  assert.deepEqual(liveResources(), { models: 0, backends: 0, arenaBytes: 0, weightsBytes: 0 });
});

test('a trainable bundle loads for inference as before; training it then is ENOT_TRAINABLE', async () => {
  const m = await loadModel(trainableBundle(), { backend: 'js' });
  assert.equal(m.trainable, false);
  const p = await m.predict({ data: new Float32Array(FEATURES), shape: [1, FEATURES] });
  assert.deepEqual(p.shape, [1, CLASSES]);
  const { x, y } = dataset(6);
  await rejects(m.fit(x, y), 'ENOT_TRAINABLE', /trainable: true/);
  assert.throws(() => m.getWeights(), { code: 'ENOT_TRAINABLE' });
  m.dispose();
});

test('the training section is validated: ESCHEMA / EGRAPH naming the field', async () => {
  const cases = [
    [(t) => (t.optimizer.name = 'adagrad'), 'ESCHEMA', /\$\.training\.optimizer\.name/],
    [(t) => (t.optimizer.learning_rate = -1), 'ESCHEMA', /\$\.training\.optimizer\.learning_rate/],
    [(t) => (t.labels.encoding = 'sparse'), 'ESCHEMA', /\$\.training\.labels\.encoding/],
    [(t) => delete t.lossGraph, 'ESCHEMA', /'lossGraph' is a required property/],
    [(t) => (t.trainable = ['W', 'nope']), 'EGRAPH', /\$\.training\.trainable\[1\] names 'nope'/],
    [(t) => (t.state.slots = { W: { m: 'missing' } }), 'EGRAPH', /state\.slots\["W"\]\.m names 'missing'/],
  ];
  for (const [edit, code, pattern] of cases) {
    const b = trainableBundle();
    edit(b['model.json'].training);
    await rejects(loadModel(b, { backend: 'js', selftest: false }), code, pattern);
  }
  const v1 = trainableBundle();
  v1['model.json'].formatVersion = 1;
  await rejects(loadModel(v1, { backend: 'js' }), 'ESCHEMA', /training section needs formatVersion 2/);
});

for (const backend of BACKENDS) {
  test(`${backend}: trainStep matches float64 reference gradients (SGD) and evaluate reports the loss`, async () => {
    const m = await load(backend);
    const { x, y } = dataset(12);
    const w0 = m.getWeights();
    const ref = referenceGrads(w0.W, w0.b, x.data, y, 12);
    const ev = await m.evaluate(x, y);
    assert.ok(Math.abs(ev.loss - ref.loss) < 1e-5 * ref.loss, `${ev.loss} vs ${ref.loss}`);
    const { loss } = await m.trainStep(x, y);
    assert.ok(Math.abs(loss - ref.loss) < 1e-5 * ref.loss);
    const w1 = m.getWeights();
    w1.W.forEach((v, i) => assert.ok(Math.abs(v - (w0.W[i] - 0.5 * ref.gW[i])) < 1e-6, `W[${i}]`));
    w1.b.forEach((v, i) => assert.ok(Math.abs(v - (w0.b[i] - 0.5 * ref.gb[i])) < 1e-6, `b[${i}]`));
    m.dispose();
  });

  test(`${backend}: fit learns, reports Keras-style history, is reproducible with a seed`, async () => {
    const { x, y } = dataset(30);
    const val = dataset(9, 11);
    const runs = [];
    for (let k = 0; k < 2; k++) {
      const m = await load(backend);
      const batches = [];
      const epochs = [];
      const { history } = await m.fit(x, y, {
        epochs: 4,
        batchSize: 8,
        seed: 5,
        validationData: [val.x, val.y],
        onBatchEnd: (b, logs) => batches.push([b, logs.loss]),
        onEpochEnd: (e, logs) => epochs.push([e, logs]),
      });
      assert.deepEqual(Object.keys(history).sort(), ['accuracy', 'loss', 'val_accuracy', 'val_loss']);
      assert.equal(history.loss.length, 4);
      assert.equal(batches.length, 16); // ceil(30 / 8) = 4 per epoch
      assert.deepEqual(
        epochs.map(([e]) => e),
        [0, 1, 2, 3],
      );
      assert.ok(history.loss[3] < history.loss[0] / 2, `loss ${history.loss}`);
      assert.equal(history.val_accuracy[3], 1);
      runs.push(m.getWeights());
      m.dispose();
    }
    assert.deepEqual(runs[0], runs[1]);
  });

  test(`${backend}: frozen weights stay as they were`, async () => {
    const m = await load(backend, { trainable: ['b'] });
    const before = m.getWeights();
    const { x, y } = dataset(12);
    await m.fit(x, y, { epochs: 2, batchSize: 4, seed: 1 });
    const after = m.getWeights();
    assert.deepEqual(after.W, before.W);
    assert.notDeepEqual(after.b, before.b);
    m.dispose();
  });
}

/** Python's optimizer (authoring/optimizers.py) on the same gradients: the weights after each step. */
function pythonSteps(kind, config, w0, grads) {
  const script = `
import json, sys, numpy as np
from webgrad import optimizers
from webgrad.tensor import Variable
a = json.load(sys.stdin)
c = dict(a["config"]); c.pop("name")
opt = {"sgd": optimizers.SGD, "adam": optimizers.Adam}[a["kind"]](**c)
v = Variable(np.array(a["w0"], np.float32), "w")
out = []
for g in a["grads"]:
    opt.apply_gradients([(np.array(g, np.float32), v)])
    out.append([float(x) for x in v.numpy()])
print(json.dumps(out))`;
  const input = JSON.stringify({ kind, config, w0: [...w0], grads: grads.map((g) => [...g]) });
  return JSON.parse(
    execFileSync('python3', ['-c', script], { input, cwd: ROOT, env: { ...process.env, PYTHONPATH: ROOT } }).toString(),
  );
}

let havePython = true;
try {
  execFileSync('python3', ['-c', 'import webgrad, numpy'], { cwd: ROOT, stdio: 'ignore' });
} catch {
  havePython = false;
}

for (const config of [
  { name: 'sgd', learning_rate: 0.1 },
  { name: 'sgd', learning_rate: 0.1, momentum: 0.9 },
  { name: 'sgd', learning_rate: 0.1, momentum: 0.9, nesterov: true },
  { name: 'adam', learning_rate: 0.01 },
  { name: 'adam', learning_rate: 0.003, beta_1: 0.8, beta_2: 0.99, epsilon: 1e-5 },
]) {
  test(
    `optimizer ${JSON.stringify(config)} equals the Python reference bit for bit over 20 steps`,
    {
      skip: havePython ? false : 'python3 with webgrad and numpy is not available',
    },
    () => {
      const n = 64;
      const w0 = noise(1, n);
      const grads = Array.from({ length: 20 }, (_, s) => noise(100 + s, n).map((v) => v * 10 ** ((s % 5) - 2)));
      const want = pythonSteps(config.name, config, w0, grads);
      const w = Float32Array.from(w0);
      const opt = new Optimizer(config, new Map([['w', n]]));
      grads.forEach((g, s) => {
        opt.apply(new Map([['w', g]]), () => w);
        assert.deepEqual([...w], want[s], `step ${s + 1}`);
      });
      assert.equal(opt.iterations, 20);
    },
  );
}

test('labels: out of range, not class indices, wrong dtype, x/y length mismatch are EINPUT naming the index', async () => {
  const m = await load('js');
  const { x } = dataset(4);
  await rejects(m.fit(x, Int32Array.of(0, 1, 3, 2)), 'EINPUT', /index 2 is 3, outside \[0, 3\)/);
  await rejects(m.fit(x, Int32Array.of(0, -1, 1, 2)), 'EINPUT', /index 1 is -1/);
  await rejects(m.fit(x, Float32Array.of(0, 1, 1.5, 2)), 'EINPUT', /index 2 is 1.5, not a class index/);
  await rejects(m.fit(x, new BigInt64Array(4)), 'EINPUT', /BigInt64Array/);
  await rejects(m.fit(x, Int32Array.of(0, 1, 2)), 'EINPUT', /x has 4 examples but y has 3/);
  await rejects(m.trainStep(x, 'cats'), 'EINPUT', /labels/);
  // one-hot rows are taken as they are
  const onehot = { data: Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0), shape: [4, 3] };
  const a = await m.evaluate(x, onehot);
  const b = await m.evaluate(x, Int32Array.of(0, 1, 2, 0));
  assert.equal(a.loss, b.loss);
  m.dispose();
});

test('a NaN loss stops fit naming epoch and batch, with the weights as after the previous batch', async () => {
  const { x, y } = dataset(12);
  const bad = { data: Float32Array.from(x.data), shape: x.shape };
  bad.data[9 * FEATURES] = NaN; // example 9: the third batch of 4
  const m = await load('js');
  await rejects(
    m.fit(bad, y, { epochs: 2, batchSize: 4, shuffle: false }),
    'ENONFINITE',
    /epoch 1 of 2, batch 3 of 3; training stopped before applying that batch/,
  );
  const ref = await load('js');
  for (let s = 0; s < 2; s++)
    await ref.trainStep(
      { data: x.data.slice(s * 4 * FEATURES, (s + 1) * 4 * FEATURES), shape: [4, FEATURES] },
      y.slice(s * 4, s * 4 + 4),
    );
  assert.deepEqual(m.getWeights(), ref.getWeights());
  const before = m.getWeights();
  await rejects(m.trainStep(bad, y), 'ENONFINITE', /not applied/);
  assert.deepEqual(m.getWeights(), before);
  m.dispose();
  ref.dispose();
});

test('abort mid-fit: EABORTED, every step whole (weights as after the steps taken)', async () => {
  const { x, y } = dataset(12);
  const m = await load('js');
  const ac = new AbortController();
  await rejects(
    m.fit(x, y, {
      epochs: 3,
      batchSize: 4,
      shuffle: false,
      signal: ac.signal,
      onBatchEnd: (b) => b === 1 && ac.abort(),
    }),
    'EABORTED',
    /before epoch 1 of 3, batch 3 of 3/,
  );
  const ref = await load('js');
  for (let s = 0; s < 2; s++)
    await ref.trainStep(
      { data: x.data.slice(s * 4 * FEATURES, (s + 1) * 4 * FEATURES), shape: [4, FEATURES] },
      y.slice(s * 4, s * 4 + 4),
    );
  assert.deepEqual(m.getWeights(), ref.getWeights());
  m.dispose();
  ref.dispose();
});

test('setWeights: unknown name EARG, wrong size or shape ESHAPE, nothing written on error', async () => {
  const m = await load('js');
  const before = m.getWeights();
  const W = new Float32Array(FEATURES * CLASSES).fill(0.25);
  assert.throws(() => m.setWeights({ W, nope: new Float32Array(3) }), {
    code: 'EARG',
    message: /'nope' is not a weight/,
  });
  assert.throws(() => m.setWeights({ W, b: new Float32Array(2) }), { code: 'ESHAPE', message: /'b' has 3 values/ });
  assert.throws(() => m.setWeights({ W: { data: W, shape: [CLASSES, FEATURES] } }), {
    code: 'ESHAPE',
    message: /'W' has shape \[4, 3\], got \[3, 4\]/,
  });
  assert.deepEqual(m.getWeights(), before);
  m.setWeights({ W });
  assert.deepEqual(m.getWeights().W, W);
  const p = await m.predict({ data: new Float32Array(FEATURES).fill(1), shape: [1, FEATURES] });
  const logits = [0, 1, 2].map((c) => FEATURES * 0.25 + before.b[c]);
  const z = logits.reduce((s, v) => s + Math.exp(v), 0);
  p.dataSync().forEach((v, c) => assert.ok(Math.abs(v - Math.exp(logits[c]) / z) < 1e-6));
  m.dispose();
});

test('a disposed model: fit, trainStep, getWeights are EDISPOSED', async () => {
  const m = await load('js');
  m.dispose();
  const { x, y } = dataset(4);
  await rejects(m.fit(x, y), 'EDISPOSED');
  await rejects(m.trainStep(x, y), 'EDISPOSED');
  assert.throws(() => m.getWeights(), { code: 'EDISPOSED' });
});

test('toBundle: the trained weights and Adam state round-trip through loadModel and saveBundle', async () => {
  const { x, y } = dataset(12);
  const m = await load('js', { optimizer: { name: 'adam', learning_rate: 0.05 } });
  await m.fit(x, y, { epochs: 2, batchSize: 4, seed: 3 });
  const map = await m.toBundle();
  const json = JSON.parse(map['model.json']);
  assert.equal(json.formatVersion, 2);
  assert.equal(json.training.state.iterations, 6);
  assert.deepEqual(Object.keys(json.training.state.slots.W), ['m', 'v']);
  const again = await loadModel(map, { trainable: true, backend: 'js' }); // checksums and self-test pass
  assert.deepEqual(again.getWeights(), m.getWeights());
  // the same next step from the same state: the optimizer state came back too
  await m.trainStep(x, y);
  await again.trainStep(x, y);
  assert.deepEqual(again.getWeights(), m.getWeights());

  const dir = mkdtempSync(join(tmpdir(), 'wg-save-'));
  await saveBundle(map, dir);
  assert.deepEqual(readdirSync(dir).sort(), ['model.json', 'weights-000.bin']);
  const fromDisk = await loadModel(dir, { trainable: true, backend: 'js' });
  assert.equal(fromDisk.selftest.maxError, 0);
  fromDisk.dispose();
  const foreign = mkdtempSync(join(tmpdir(), 'wg-foreign-'));
  writeFileSync(join(foreign, 'notes.txt'), 'mine');
  await rejects(saveBundle(map, foreign), 'EARG', /not empty and is not a webgrad bundle \(it holds notes.txt\)/);
  assert.deepEqual(readdirSync(foreign), ['notes.txt']);
  mkdirSync(join(dir, 'sub'));

  const f16 = await m.toBundle({ quantize: 'float16' });
  const q = JSON.parse(f16['model.json']);
  assert.equal(q.formatVersion, 1);
  assert.equal(q.training, undefined);
  const plain = await loadModel(f16, { backend: 'js' });
  const input = { data: new Float32Array(FEATURES).fill(0.5), shape: [1, FEATURES] };
  const [a, b] = [await plain.predict(input), await m.predict(input)];
  a.dataSync().forEach((v, i) => assert.ok(Math.abs(v - b.dataSync()[i]) < 1e-3));
  await rejects(m.toBundle({ quantize: 'int4' }), 'EARG', /quantize/);
  for (const model of [m, again, plain]) model.dispose();
});

for (const backend of BACKENDS) {
  test(`${backend}: 1,000 steps grow neither the arena nor the backend's memory; dispose frees everything`, async () => {
    const m = await load(backend);
    const { x, y } = dataset(32);
    await m.trainStep(x, y);
    await m.predict({ data: new Float32Array(FEATURES), shape: [1, FEATURES] }); // inference and training take turns
    await m.trainStep(x, y);
    const first = m.memory();
    const heap = process.memoryUsage().heapUsed;
    for (let s = 0; s < 1000; s++) await m.trainStep(x, y);
    const last = m.memory();
    assert.equal(last.arenaBytes, first.arenaBytes);
    assert.equal(last.deviceBytes, first.deviceBytes);
    assert.ok(process.memoryUsage().heapUsed - heap < 16 * 2 ** 20, 'heap grew by more than 16 MiB');
    m.dispose();
    assert.deepEqual(liveResources(), { models: 0, backends: 0, arenaBytes: 0, weightsBytes: 0 });
  });
}
