// The gradient ops' kernels (the op set's gradOps) against their shared vectors
// (tests/vectors/grad/<Op>.json, made by the numpy references in authoring/raw_ops/grad/): every case on the
// js backend's kernels and, for each op the wasm backend has a kernel for, on wasm's, the output
// allocated from the case's expected shape, within the op's tolerance from gradOps. Inputs and output
// are placed in the backend's own arena memory (wasm: its linear memory), as the executor does.
//
//   node --test tests/node/grad_kernels.test.mjs

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTOR_DIR, decodeTensor, firstMismatch, place } from './_helpers.mjs';
import { GRAD_OPS } from '../../js_runtime/src/grad_opset.js';
import { KERNELS } from '../../js_runtime/src/backends/js/kernels/index.js';
import { getBackend } from '../../js_runtime/src/backends/index.js';
import { itemSize, viewOf } from '../../js_runtime/src/dtypes.js';
import { alignUp } from '../../js_runtime/src/arena.js';
import { sizeOf } from '../../js_runtime/src/shapes.js';

const GRAD_DIR = join(VECTOR_DIR, 'grad');
const OPS = Object.keys(GRAD_OPS);
const backends = { js: await getBackend('js').create(), wasm: await getBackend('wasm').create() };
after(() => Object.values(backends).forEach((b) => b.dispose()));

/** Runs one case on `backend`'s kernel for `op`; returns the output's values (a copy). */
function runCase(backend, op, c) {
  const inputs = c.inputs.map((t) => (t === null ? null : decodeTensor(t)));
  const want = decodeTensor(c.expected[0]);
  const { views, arena } = place(backend, [...inputs, { shape: want.shape, dtype: want.dtype }]);
  const output = /** @type {any} */ (views.pop());
  try {
    backend.kernels[op](views, c.attrs, output);
    // re-read through the arena's buffer: wasm memory may have grown (and moved) during the call
    return viewOf(want.dtype, arena.buffer, output.data.byteOffset, output.data.length).slice();
  } finally {
    backend.releaseArena(arena);
  }
}

test("the js backend's KERNELS has a kernel for every gradient op", () => {
  for (const op of OPS) assert.equal(typeof KERNELS[op], 'function', `no js kernel for gradient op ${op}`);
});

for (const op of OPS) {
  const file = join(GRAD_DIR, `${op}.json`);
  if (!existsSync(file)) {
    const why = `tests/vectors/grad/${op}.json is missing (python -m webgrad.exporter.vectors writes it)`;
    test(`${op} gradient vectors`, { skip: why }, () => {});
    continue;
  }
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const tol = GRAD_OPS[op].tolerance;
  for (const [name, backend] of Object.entries(backends)) {
    // js has every kernel (checked above); the wasm backend's arrive one by one
    const skip = typeof backend.kernels[op] === 'function' ? false : `the ${name} backend has no ${op} kernel`;
    test(`${name} backend: ${op} gradient vectors`, { skip }, () => {
      assert.equal(doc.op, op, `${file} names op ${doc.op}`);
      assert.ok(doc.cases.length > 0, `${file} has no cases`);
      for (const c of doc.cases) {
        const got = runCase(backend, op, c);
        const bad = firstMismatch(got, decodeTensor(c.expected[0]).data, tol);
        assert.equal(bad, null, `${name} ${op}/${c.name}: ${bad} (tolerance ${JSON.stringify(tol)})`);
      }
    });
  }
}

test('ActivationGrad gelu at huge and infinite x: as the reference, whose float32 x * x overflows', () => {
  // want: python -c "from webgrad.raw_ops._activation import activation_grad; ..." with g = 1 (float32 x)
  const x = Float32Array.of(1e30, -1e30, 1e19, 2e19, 4.9e19, 5.1e19, 1e13, -1e13, 3, Infinity, -Infinity);
  const g = new Float32Array(x.length).fill(1);
  const want = {
    approximate: [NaN, NaN, 1, 1, 1, NaN, 1, 0, 1.011583685874939, NaN, NaN],
    exact: [1, 0, 1, 1, 1, 1, 1, 0, 1.0119456052780151, NaN, NaN],
  };
  for (const [form, expected] of Object.entries(want)) {
    const out = new Float32Array(x.length);
    const view = (data) => ({ data, shape: [x.length], dtype: 'float32' });
    const attrs = { activation: 'gelu', alpha: 0.2, approximate: form === 'approximate' };
    KERNELS.ActivationGrad([view(g), view(x), view(x)], attrs, view(out));
    const bad = firstMismatch(out, Float32Array.from(expected), GRAD_OPS.ActivationGrad.tolerance);
    assert.equal(bad, null, `ActivationGrad gelu ${form}: ${bad}`);
  }
});
