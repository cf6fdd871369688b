// The gradient ops' JS shape rules (js_runtime/src/grad_shape_rules.js) agree with the Python ones
// (authoring/raw_ops/grad/) on every gradient vector: each case's output shape is the expected tensor's
// shape, each reject is ESHAPE, with known dims and with the batch dim unknown (null).
//
//   node --test tests/node/grad_shape_rules.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPSET } from '../../js_runtime/src/opset.js';
import { GRAD_OPS } from '../../js_runtime/src/grad_opset.js';
import { GRAD_SHAPE_RULES, gradAttrs, inferGradNode } from '../../js_runtime/src/grad_shape_rules.js';
import { inferNode } from '../../js_runtime/src/shape_rules.js';

const GRAD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors', 'grad');
const DOCS = readdirSync(GRAD_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(GRAD_DIR, f), 'utf8')));

test('every gradient op has a vector file and a JS shape rule, and nothing else does', () => {
  const names = Object.keys(GRAD_OPS).sort();
  assert.deepEqual(DOCS.map((d) => d.op).sort(), names);
  assert.deepEqual(Object.keys(GRAD_SHAPE_RULES).sort(), names);
  for (const name of names) assert.ok(!(name in OPSET.ops), `${name} is both an op and a gradient op`);
});

// Inputs that are weights or indices, not batched activations: their first dim is known at plan time.
const UNBATCHED = new Set(['w', 'like_w', 'gamma', 'scale', 'mean', 'var', 'indices']);

for (const doc of DOCS) {
  test(`${doc.op}: the JS shape rule gives every case's output shape`, () => {
    for (const c of doc.cases) {
      const shapes = c.inputs.map((t) => t.shape);
      const dtypes = c.inputs.map((t) => t.dtype);
      const { shape, dtype } = inferGradNode(doc.op, shapes, dtypes, gradAttrs(doc.op, c.attrs));
      assert.deepEqual(shape, c.expected[0].shape, `${doc.op}/${c.name}`);
      assert.equal(dtype, c.expected[0].dtype, `${doc.op}/${c.name}`);
    }
  });

  test(`${doc.op}: an unknown leading (batch) dim stays unknown or is decided by another input`, () => {
    for (const c of doc.cases) {
      const names = GRAD_OPS[doc.op].inputs.map((i) => i.name);
      const shapes = c.inputs.map((t, i) =>
        t.shape.length && !UNBATCHED.has(names[i]) ? [null, ...t.shape.slice(1)] : t.shape,
      );
      const shape = GRAD_SHAPE_RULES[doc.op](shapes, c.attrs);
      const want = c.expected[0].shape;
      assert.equal(shape.length, want.length, `${doc.op}/${c.name}`);
      shape.forEach((d, i) => assert.ok(d === null || d === want[i], `${doc.op}/${c.name}: dim ${i} is ${d}`));
    }
  });

  test(`${doc.op}: the rejects are ESHAPE`, () => {
    for (const r of doc.rejects ?? []) {
      assert.throws(
        () =>
          GRAD_SHAPE_RULES[doc.op](
            r.inputs.map((t) => t.shape),
            r.attrs,
          ),
        (e) => e.code === r.error && e.message.startsWith(doc.op),
        `${doc.op}/${r.name}`,
      );
    }
  });
}

test('gradient ops are not bundle ops: inferNode refuses them as EUNKNOWN_OP', () => {
  assert.throws(() => inferNode('SumTo', [[2, 3], [3]], ['float32', 'float32'], {}), { code: 'EUNKNOWN_OP' });
});

test('gradAttrs fills defaults and refuses unknown or missing attributes', () => {
  assert.deepEqual(gradAttrs('Conv2DBackpropInput', { groups: 2 }), {
    strides: [1, 1],
    padding: 'VALID',
    dilations: [1, 1],
    groups: 2,
  });
  assert.throws(() => gradAttrs('SumTo', { axis: 1 }), { code: 'EATTR' });
  assert.throws(() => gradAttrs('MaxMinGrad', { op: 'max' }), { code: 'EATTR' });
  assert.throws(() => gradAttrs('ReluGrad', {}), { code: 'EUNKNOWN_OP' });
});

test('inferGradNode checks input count and dtypes', () => {
  assert.throws(() => inferGradNode('SumTo', [[2, 3]], ['float32'], {}), { code: 'EGRAPH' });
  assert.throws(() => inferGradNode('SumTo', [[2, 3], [3]], ['float32', 'int32'], {}), { code: 'EDTYPE' });
  assert.throws(() => inferGradNode('GatherGrad', [[2], [2], [5]], ['float32', 'float32', 'float32'], { axis: 0 }), {
    code: 'EDTYPE',
  });
});
