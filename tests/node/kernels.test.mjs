// Every backend's kernels against the shared op test vectors (tests/vectors/*.json): every case of
// every op, with the output shape from the runtime's shape rules, within the case's tolerance. The
// inputs and the output are placed in memory from the backend's own allocateArena (for wasm: its
// linear memory), as the executor does. Also checks that every op of the op set has a js kernel file
// named after it, and a shape rule.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIME, decodeTensor, firstMismatch, loadVectors, place } from './_helpers.mjs';
import { OPSET } from '../../js_runtime/src/opset.js';
import { GRAD_OPS } from '../../js_runtime/src/grad_opset.js';
import { KERNELS } from '../../js_runtime/src/backends/js/kernels/index.js';
import { SHAPE_RULES, inferNode } from '../../js_runtime/src/shape_rules.js';
import { halfToFloat, itemSize, viewOf } from '../../js_runtime/src/dtypes.js';
import { getBackend } from '../../js_runtime/src/backends/index.js';
import { alignUp } from '../../js_runtime/src/arena.js';
import { sizeOf } from '../../js_runtime/src/shapes.js';

const KERNEL_DIR = join(RUNTIME, 'src', 'backends', 'js', 'kernels');

test('every op of the op set has a js kernel file named after it, and nothing else does', async () => {
  const files = readdirSync(KERNEL_DIR).filter((f) => f.endsWith('.js') && !f.startsWith('_') && f !== 'index.js');
  const ops = Object.keys(OPSET.ops);
  assert.deepEqual(files.map((f) => f.replace(/\.js$/, '')).sort(), [...ops].sort());
  for (const op of ops) {
    const mod = await import(join(KERNEL_DIR, `${op}.js`));
    assert.equal(typeof mod[op], 'function', `${op}.js exports a kernel named ${op}`);
    assert.equal(KERNELS[op], mod[op], `kernels/index.js maps ${op}`);
    assert.equal(typeof SHAPE_RULES[op], 'function', `shape rule for ${op}`);
  }
  // the gradient ops' kernels live in kernels/grad/ (their vectors: tests/node/grad_kernels.test.mjs)
  const gradFiles = readdirSync(join(KERNEL_DIR, 'grad')).filter((f) => f.endsWith('.js') && !f.startsWith('_'));
  const gradOps = Object.keys(GRAD_OPS);
  assert.deepEqual(gradFiles.map((f) => f.replace(/\.js$/, '')).sort(), [...gradOps].sort());
  for (const op of gradOps) {
    const mod = await import(join(KERNEL_DIR, 'grad', `${op}.js`));
    assert.equal(KERNELS[op], mod[op], `kernels/index.js maps ${op} to grad/${op}.js`);
  }
  assert.equal(Object.keys(KERNELS).length, ops.length + gradOps.length);
});

/** The backends the vectors run on, with the ops each is excused from (and why). */
const BACKENDS = { js: {}, wasm: {} };

test('every vector reject (an input the op set says the shape rule refuses) is refused with its code', () => {
  let checked = 0;
  for (const doc of loadVectors()) {
    for (const r of doc.rejects ?? []) {
      const inputs = r.inputs.map((t) => (t === null ? null : decodeTensor(t)));
      assert.throws(
        () =>
          inferNode(
            doc.op,
            inputs.map((t) => t && t.shape),
            inputs.map((t) => t && t.dtype),
            r.attrs,
          ),
        (e) => e.code === r.error && e.message.startsWith(`${doc.op}:`),
        `${doc.op}/${r.name}: expected ${r.error}`,
      );
      checked++;
    }
  }
  assert.ok(checked >= 2, `only ${checked} rejects`);
});

for (const [name, excluded] of Object.entries(BACKENDS)) {
  for (const doc of loadVectors()) {
    if (excluded[doc.op]) {
      test(`${name} backend: ${doc.op} vectors`, { skip: excluded[doc.op] }, () => {});
      continue;
    }
    test(`${name} backend: ${doc.op} vectors`, async () => {
      const backend = await getBackend(name).create();
      try {
        assert.equal(typeof backend.kernels[doc.op], 'function', `no ${name} kernel for ${doc.op}`);
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
          assert.deepEqual(shape, want.shape, `${doc.op}/${c.name}: shape rule`);
          assert.equal(dtype, want.dtype, `${doc.op}/${c.name}: output dtype`);
          const { views, arena } = place(backend, [...inputs, { shape, dtype }]);
          const output = views.pop();
          backend.kernels[doc.op](views, c.attrs, output);
          const got = viewOf(dtype, arena.buffer, output.data.byteOffset, output.data.length).slice(); // memory may have moved
          backend.releaseArena(arena);
          const exact = dtype === 'int32' || dtype === 'int8' || dtype === 'uint8';
          const tol = exact ? { rtol: 0, atol: 0 } : c.tolerance;
          const decodeHalf = (a) => (dtype === 'float16' ? Array.from(a, halfToFloat) : a);
          const bad = firstMismatch(decodeHalf(got), decodeHalf(want.data), tol);
          assert.equal(bad, null, `${name} ${doc.op}/${c.name}: ${bad} (tolerance ${JSON.stringify(tol)})`);
        }
      } finally {
        backend.dispose();
      }
    });
  }
}
