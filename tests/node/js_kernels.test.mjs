// The js backend against the shared op test vectors (tests/vectors/*.json): every case of every op,
// with the output shape from the runtime's shape rules, within the case's tolerance. Also checks that
// every op of the op set has a kernel file named after it, and a shape rule.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIME, decodeTensor, firstMismatch, loadVectors } from './_helpers.mjs';
import { OPSET } from '../../js_runtime/src/opset.js';
import { KERNELS } from '../../js_runtime/src/backends/js/kernels/index.js';
import { SHAPE_RULES, inferNode } from '../../js_runtime/src/shape_rules.js';
import { halfToFloat, allocate } from '../../js_runtime/src/dtypes.js';
import { sizeOf } from '../../js_runtime/src/shapes.js';

const KERNEL_DIR = join(RUNTIME, 'src', 'backends', 'js', 'kernels');

test('every op of the op set has a js kernel file named after it, and nothing else does', async () => {
  const files = readdirSync(KERNEL_DIR).filter((f) => !f.startsWith('_') && f !== 'index.js');
  const ops = Object.keys(OPSET.ops);
  assert.deepEqual(files.map((f) => f.replace(/\.js$/, '')).sort(), [...ops].sort());
  for (const op of ops) {
    const mod = await import(join(KERNEL_DIR, `${op}.js`));
    assert.equal(typeof mod[op], 'function', `${op}.js exports a kernel named ${op}`);
    assert.equal(KERNELS[op], mod[op], `kernels/index.js maps ${op}`);
    assert.equal(typeof SHAPE_RULES[op], 'function', `shape rule for ${op}`);
  }
  assert.equal(Object.keys(KERNELS).length, ops.length);
});

for (const doc of loadVectors()) {
  test(`js backend: ${doc.op} vectors`, () => {
    assert.ok(KERNELS[doc.op], `no js kernel for ${doc.op}`);
    for (const c of doc.cases) {
      const inputs = c.inputs.map((t) => (t === null ? null : decodeTensor(t)));
      while (inputs.length && inputs[inputs.length - 1] === null && !OPSET.ops[doc.op].inputs.at(-1)?.variadic) inputs.pop();
      const want = decodeTensor(c.expected[0]);
      const { shape, dtype } = inferNode(doc.op, inputs.map((t) => t && t.shape), inputs.map((t) => t && t.dtype), c.attrs);
      assert.deepEqual(shape, want.shape, `${doc.op}/${c.name}: shape rule`);
      assert.equal(dtype, want.dtype, `${doc.op}/${c.name}: output dtype`);
      const output = { data: allocate(dtype, sizeOf(shape)), shape, dtype };
      KERNELS[doc.op](inputs, c.attrs, output);
      const exact = dtype === 'int32' || dtype === 'int8' || dtype === 'uint8';
      const tol = exact ? { rtol: 0, atol: 0 } : c.tolerance;
      const decodeHalf = (a) => (dtype === 'float16' ? Array.from(a, halfToFloat) : a);
      const bad = firstMismatch(decodeHalf(output.data), decodeHalf(want.data), tol);
      assert.equal(bad, null, `${doc.op}/${c.name}: ${bad} (tolerance ${JSON.stringify(tol)})`);
    }
  });
}
