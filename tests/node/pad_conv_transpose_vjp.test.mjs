// The VJP rules of Pad (a Slice of g) and Conv2DTranspose (a Conv2D of gz and Conv2DBackpropFilter
// with image and cotangent swapped): the training graph's gradients against a central finite
// difference of the loss sum(op(...) * labels), on the js backend (the wasm and webgpu kernels of the
// ops these rules emit are checked by the shared vectors).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTrainingGraph } from '../../js_runtime/src/train/autodiff.js';
import { Executor } from '../../js_runtime/src/executor.js';
import { TRAINING_PLAN_RULES } from '../../js_runtime/src/grad_shape_rules.js';
import { jsBackend } from '../../js_runtime/src/backends/js/index.js';
import { tensor } from '../../js_runtime/src/index.js';
import { normalizeAttrs } from '../../js_runtime/src/loader/attrs.js';

const BACKENDS = { js: await jsBackend.create() };

const CASES = [
  { op: 'Pad', attrs: { pads: [0, 0, 1, 2, 2, 0, 0, 1] }, shapes: [[2, 2, 3, 2]] },
  { op: 'Pad', attrs: { pads: [1, 1, 0, 0], value: 3 }, shapes: [[2, 3]] },
  { op: 'Pad', attrs: { pads: [0, 0, 0, 0] }, shapes: [[2, 3]] },
  { op: 'Conv2DTranspose', attrs: { strides: [2, 2] }, shapes: [[2, 2, 3, 2], [3, 3, 3, 2], [3]] },
  {
    op: 'Conv2DTranspose',
    attrs: { strides: [2, 1], padding: 'SAME', activation: 'tanh' },
    shapes: [[1, 3, 2, 2], [2, 3, 2, 2], [2]],
  },
  {
    op: 'Conv2DTranspose',
    attrs: { padding: [1, 0, 0, 1], dilations: [2, 1] },
    shapes: [
      [1, 3, 3, 1],
      [2, 2, 2, 1],
    ],
  },
];

/** A seeded uniform generator in [0, 1). */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
const random = (n, rand) => Float32Array.from({ length: n }, () => rand() * 2 - 1);
const size = (shape) => shape.reduce((a, b) => a * b, 1);

CASES.forEach((c, index) => {
  for (const [name, backend] of Object.entries(BACKENDS)) {
    test(`${name}: VJP of ${c.op} ${JSON.stringify(c.attrs)} equals a central finite difference`, () => {
      const rand = rng(100 + index);
      const names = c.shapes.map((_, k) => `in${k}`);
      const weights = new Map(
        c.shapes.map((shape, k) => [names[k], { data: random(size(shape), rand), shape, dtype: 'float32' }]),
      );
      const attrs = normalizeAttrs(c.op, c.attrs);
      const node = { name: 'y', op: c.op, inputs: names, outputs: ['y'], attrs };
      const forward = { inputs: [], outputs: [{ name: 'y', dtype: 'float32', shape: [] }], nodes: [node] };
      const shape = new Executor(forward, weights, backend).plan([]).values.find((v) => v.name === 'y').shape;
      const axes = shape.map((_, i) => i).slice(1);
      const lossGraph = {
        inputs: ['y', 'labels'],
        nodes: [
          { name: 'l/mul', op: 'Mul', inputs: ['y', 'labels'], outputs: ['l/mul'], attrs: {} },
          { name: 'l/sum', op: 'ReduceSum', inputs: ['l/mul'], outputs: ['l/sum'], attrs: { axes } },
        ],
        output: 'l/sum',
      };
      const t = buildTrainingGraph(
        forward,
        { trainable: names, labels: { name: 'labels', shape }, lossGraph },
        weights,
      );
      const ex = new Executor(t.graph, new Map([...weights, ...t.constants]), backend, TRAINING_PLAN_RULES);
      const labels = tensor(random(size(shape), rand), shape);
      const outs = ex.run([labels]);
      const lossAt = t.graph.outputs.findIndex((s) => s.name === t.lossOutput);
      const loss = () => ex.run([labels])[lossAt].dataSync()[0];
      for (const w of names) {
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
  }
});
