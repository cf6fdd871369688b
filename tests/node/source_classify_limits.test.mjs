// Leftovers of the hardening issue, each at the edge of what loadModel / classify accept: a model.json
// object that has no JSON form (a cycle, a BigInt, a throwing toJSON) is a typed ESOURCE, not a raw
// TypeError; `metadata.preprocessing` mean/std whose length load could not check (unknown channel
// dim) are checked by classify against the real one, and a one-value array broadcasts; the LIMITS
// defaults are exported.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIMITS, WebgradError, liveResources, loadModel } from '../../js_runtime/src/index.js';
import { matmulBundle, syntheticBundle } from './_synthetic.mjs';

const LIVE_NONE = { models: 0, backends: 0, arenaBytes: 0, weightsBytes: 0 };

test('a model.json object with no JSON form is ESOURCE naming model.json, with the cause', async () => {
  const cyclic = matmulBundle(2, 2);
  cyclic['model.json'].metadata.self = cyclic['model.json'];
  const big = matmulBundle(2, 2);
  big['model.json'].metadata.count = 10n;
  const throwing = matmulBundle(2, 2);
  throwing['model.json'].metadata.bad = {
    toJSON() {
      throw new RangeError('no JSON for you');
    },
  };
  const empty = matmulBundle(2, 2);
  empty['model.json'].toJSON = () => undefined;
  for (const [what, bundle, cause] of [
    ['a cycle', cyclic, /circular/i],
    ['a BigInt', big, /BigInt/],
    ['a throwing toJSON', throwing, /no JSON for you/],
    ['an empty toJSON', empty, null],
  ]) {
    await assert.rejects(loadModel(bundle, { backend: 'js' }), (e) => {
      assert.ok(e instanceof WebgradError, `${what}: ${e}`);
      assert.equal(e.code, 'ESOURCE', what);
      assert.match(
        e.message,
        /^model\.json \(in-memory bundle\): the object given as model\.json (cannot be written as JSON|has no JSON form)/,
        what,
      );
      if (cause) assert.match(e.message, cause, what);
      return true;
    });
  }
  assert.deepEqual(liveResources(), LIVE_NONE);
  // the same object without the offending field loads
  delete big['model.json'].metadata.count;
  (await loadModel(big, { backend: 'js' })).dispose();
});

/** Softmax(x * 1) over an input whose channel (last) dim is unknown at load: classes = channels. */
function unknownChannels(preprocessing) {
  const x = Float32Array.from([0, 1, 2]);
  const e = x.map(Math.exp);
  const sum = e.reduce((a, b) => a + b, 0);
  return syntheticBundle({
    inputs: [{ name: 'x', dtype: 'float32', shape: [null, null] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [null, null] }],
    nodes: [
      { name: 'm', op: 'Mul', inputs: ['x', 'one'], outputs: ['m'], attrs: {} },
      { name: 'y', op: 'Softmax', inputs: ['m'], outputs: ['y'], attrs: { axis: -1 } },
    ],
    weights: { one: { data: Float32Array.of(1), shape: [1] } },
    selftest: {
      inputs: [{ name: 'x', shape: [1, 3], data: x }],
      outputs: [{ name: 'y', shape: [1, 3], data: e.map((v) => v / sum) }],
    },
    metadata: { preprocessing },
  });
}

/** Softmax of (x * scale - mean) / std in float64, per channel, as numpy would compute it. */
function expected(x, { scale = 1, mean = 0, std = 1 }) {
  const at = (p, k) => (typeof p === 'number' ? p : p.length === 1 ? p[0] : p[k]);
  const z = x.map((v, k) => Math.fround((v * scale - at(mean, k)) / at(std, k)));
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

test("classify: mean/std of a length load could not check are checked against the input's last dim", async () => {
  for (const [pre, name, n] of [
    [{ mean: [1, 2] }, 'mean', 2],
    [{ std: [1, 2, 3, 4] }, 'std', 4],
  ]) {
    const model = await loadModel(unknownChannels(pre), { backend: 'js' });
    await assert.rejects(model.classify({ data: [10, 20, 30], shape: [1, 3] }), (e) => {
      assert.equal(e.code, 'EINPUT');
      assert.equal(
        e.message,
        `classify: metadata.preprocessing.${name} has ${n} values, but input 'x' has 3 channels (its last dim, unknown until now): expected 1 or 3 values`,
      );
      return true;
    });
    // the same model with a 2- or 4-channel input is fine
    const fits = await model.classify({ data: new Array(n).fill(1), shape: [1, n] }, { topK: n });
    assert.equal(fits.length, n);
    model.dispose();
  }
  assert.deepEqual(liveResources(), LIVE_NONE);
});

test('classify: a one-value mean/std array broadcasts over every channel, as a number does', async () => {
  const x = [10, 20, 30];
  for (const pre of [
    { scale: 0.5, mean: [2], std: [4] },
    { scale: 0.5, mean: 2, std: 4 },
    { mean: [1, 2, 3], std: [1, 2, 4] },
  ]) {
    const model = await loadModel(unknownChannels(pre), { backend: 'js' });
    const got = await model.classify({ data: x, shape: [1, 3] }, { topK: 3 });
    const want = expected(x, pre);
    for (const p of got) {
      assert.ok(Number.isFinite(p.probability), JSON.stringify(pre));
      assert.ok(
        Math.abs(p.probability - want[p.index]) < 1e-6,
        `${JSON.stringify(pre)}: class ${p.index}: ${p.probability} vs ${want[p.index]}`,
      );
    }
    model.dispose();
  }
  // known channel dim (the mnist-like matmul input [null, 3]): a one-value array broadcasts too
  const known = await loadModel(
    matmulBundle(3, 2, (i) => i, { preprocessing: { mean: [1], std: [2] } }),
    { backend: 'js' },
  );
  const top = await known.classify({ data: [3, 5, 7], shape: [1, 3] }, { topK: 2 });
  assert.ok(
    top.every((p) => Number.isFinite(p.probability)),
    JSON.stringify(top),
  );
  known.dispose();
});

test('LIMITS: the default resource limits are exported, frozen', () => {
  assert.deepEqual(
    { ...LIMITS },
    { maxBytes: 2 ** 30, maxModelJsonBytes: 64 * 2 ** 20, timeoutMs: 30000, maxArenaBytes: 2 ** 30 },
  );
  assert.ok(Object.isFrozen(LIMITS));
});
