// The VJP rules of Where (g selected into x's and y's shares, summed to their shapes) and Abs
// (g * sign(x) from Greater and Less): the training graph's gradients against a central finite
// difference of the loss sum(op(...) * labels), on the js backend (the wasm and webgpu kernels of the
// ops these rules emit are checked by the shared vectors). Where's mask is a constant, not trained.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTrainingGraph } from '../../js_runtime/src/train/autodiff.js';
import { Executor } from '../../js_runtime/src/executor.js';
import { TRAINING_PLAN_RULES } from '../../js_runtime/src/grad_shape_rules.js';
import { jsBackend } from '../../js_runtime/src/backends/js/index.js';
import { tensor } from '../../js_runtime/src/index.js';

const backend = await jsBackend.create();

/** A seeded uniform generator in [0, 1). */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
const size = (shape) => shape.reduce((a, b) => a * b, 1);
/** Values in ±[0.1, 1): away from Abs's kink, so the finite difference sees one side. */
const away = (n, rand) => Float32Array.from({ length: n }, () => (rand() < 0.5 ? -1 : 1) * (0.1 + 0.9 * rand()));
const mask = (n, rand) => Float32Array.from({ length: n }, () => (rand() < 0.5 ? 0 : 1));

const CASES = [
  {
    op: 'Where',
    shapes: [
      [2, 3],
      [2, 3],
      [2, 3],
    ],
  },
  { op: 'Where', shapes: [[3, 1], [4], [2, 1, 1]] },
  { op: 'Where', shapes: [[2, 3], [], [3]] },
  { op: 'Abs', shapes: [[3, 4]] },
];

CASES.forEach((c, index) => {
  test(`js: VJP of ${c.op} ${JSON.stringify(c.shapes)} equals a central finite difference`, () => {
    const rand = rng(300 + index);
    const names = c.shapes.map((_, k) => `in${k}`);
    const trainable = c.op === 'Where' ? names.slice(1) : names;
    const weights = new Map(
      c.shapes.map((shape, k) => {
        const data = c.op === 'Where' && k === 0 ? mask(size(shape), rand) : away(size(shape), rand);
        return [names[k], { data, shape, dtype: 'float32' }];
      }),
    );
    const node = { name: 'y', op: c.op, inputs: names, outputs: ['y'], attrs: {} };
    const forward = { inputs: [], outputs: [{ name: 'y', dtype: 'float32', shape: [] }], nodes: [node] };
    const shape = new Executor(forward, weights, backend).plan([]).values.find((v) => v.name === 'y').shape;
    const lossGraph = {
      inputs: ['y', 'labels'],
      nodes: [
        { name: 'l/mul', op: 'Mul', inputs: ['y', 'labels'], outputs: ['l/mul'], attrs: {} },
        { name: 'l/sum', op: 'ReduceSum', inputs: ['l/mul'], outputs: ['l/sum'], attrs: { axes: null } },
      ],
      output: 'l/sum',
    };
    const t = buildTrainingGraph(forward, { trainable, labels: { name: 'labels', shape }, lossGraph }, weights);
    const ex = new Executor(t.graph, new Map([...weights, ...t.constants]), backend, TRAINING_PLAN_RULES);
    const labels = tensor(away(size(shape), rand), shape);
    const outs = ex.run([labels]);
    const lossAt = t.graph.outputs.findIndex((s) => s.name === t.lossOutput);
    const loss = () => ex.run([labels])[lossAt].dataSync()[0];
    for (const w of trainable) {
      const got = outs[t.graph.outputs.findIndex((s) => s.name === t.gradOutputs.get(w))].dataSync();
      const data = weights.get(w).data;
      assert.equal(got.length, data.length, `${w}: gradient size`);
      const eps = 1e-2;
      for (let i = 0; i < data.length; i++) {
        const keep = data[i];
        data[i] = keep + eps;
        const up = loss();
        data[i] = keep - eps;
        const down = loss();
        data[i] = keep;
        const fd = (up - down) / (2 * eps);
        assert.ok(
          Math.abs(got[i] - fd) <= 3e-3 + 2e-2 * Math.abs(fd),
          `${w}[${i}]: ${got[i]}, finite difference ${fd}`,
        );
      }
    }
  });
});
