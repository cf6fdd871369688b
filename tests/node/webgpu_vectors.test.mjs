// The shared op test vectors (tests/vectors/*.json) on the webgpu backend in Node: npm `webgpu`
// (Dawn) on SwiftShader. Each case is a one-node graph run by the executor through the webgpu runner
// (placement, programs, one submission, read-back), against the numpy reference's expected output
// within the case's tolerance. Plus the coverage rule: every op of the op set has a program, is a
// view, or is listed with a reason in _webgpu.mjs's EXCLUDED (and a listed op must still lack one).
//
//   node --test tests/node/webgpu_vectors.test.mjs

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTensor, firstMismatch, loadVectors } from './_helpers.mjs';
import { EXCLUDED, VIEW_OPS, nodeGpu, runCase } from './_webgpu.mjs';
import { OPSET } from '../../js_runtime/src/opset.js';
import { inferNode } from '../../js_runtime/src/shape_rules.js';
import { halfToFloat } from '../../js_runtime/src/dtypes.js';
import { getBackend } from '../../js_runtime/src/backends/index.js';
import { PROGRAMS } from '../../js_runtime/src/backends/webgpu/programs/index.js';

const { gpu, reason } = await nodeGpu();
const backend = gpu ? await getBackend('webgpu').create({ gpu }) : null;
after(() => backend?.dispose());

test('every op has a webgpu program, is a view, or is excluded with a reason', () => {
  for (const op of Object.keys(OPSET.ops)) {
    const has = typeof PROGRAMS[op] === 'function';
    if (VIEW_OPS.includes(op)) continue;
    if (EXCLUDED[op]) assert.ok(!has, `${op} has a program now: remove it from EXCLUDED in tests/node/_webgpu.mjs`);
    else assert.ok(has, `no webgpu program for ${op} and no listed exclusion`);
  }
  for (const op of Object.keys(EXCLUDED)) assert.ok(OPSET.ops[op], `EXCLUDED lists ${op}, not an op`);
});

test(
  'webgpu: every vector reject is refused with its code before anything runs',
  { skip: !backend && `no WebGPU adapter: ${reason}` },
  async () => {
    let checked = 0;
    for (const doc of loadVectors()) {
      for (const r of doc.rejects ?? []) {
        const inputs = r.inputs.map((t) => (t === null ? null : decodeTensor(t)));
        // the declared output is a placeholder: the shape rule refuses the node before it matters
        await assert.rejects(
          runCase(backend, doc.op, r, inputs, { shape: [1], dtype: 'int32' }),
          (e) => e.code === r.error,
          `${doc.op}/${r.name}`,
        );
        checked++;
      }
    }
    assert.ok(checked >= 2, `only ${checked} rejects`);
  },
);

for (const doc of loadVectors()) {
  const skip = !backend ? `no WebGPU adapter: ${reason}` : EXCLUDED[doc.op];
  test(`webgpu: ${doc.op} vectors`, { skip }, async () => {
    for (const c of doc.cases) {
      const inputs = c.inputs.map((t) => (t === null ? null : decodeTensor(t)));
      while (inputs.length && inputs[inputs.length - 1] === null && !OPSET.ops[doc.op].inputs.at(-1)?.variadic)
        inputs.pop();
      const want = decodeTensor(c.expected[0]);
      const { shape, dtype } = inferNode(
        doc.op,
        inputs.map((t) => t && t.shape),
        inputs.map((t) => t && t.dtype),
        c.attrs,
      );
      const got = await runCase(backend, doc.op, c, inputs, { shape, dtype });
      assert.deepEqual([...got.shape], want.shape, `${doc.op}/${c.name}: shape`);
      assert.equal(got.dtype, want.dtype, `${doc.op}/${c.name}: dtype`);
      const exact = dtype === 'int32' || dtype === 'int8' || dtype === 'uint8';
      const tol = exact ? { rtol: 0, atol: 0 } : c.tolerance;
      const decodeHalf = (a) => (dtype === 'float16' ? Array.from(a, halfToFloat) : a);
      const bad = firstMismatch(decodeHalf(got.data), decodeHalf(want.data), tol);
      assert.equal(bad, null, `webgpu ${doc.op}/${c.name}: ${bad} (tolerance ${JSON.stringify(tol)})`);
    }
  });
}
