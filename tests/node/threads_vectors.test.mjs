// Every shared op vector (tests/vectors/*.json) on the wasm backend with 2, 3 and 4 threads gives the
// bits of 1 thread: every call split (the work threshold set to 0), every job run by a worker
// (js_runtime/src/backends/wasm/threads/, docs/threads.md). The values themselves are checked against
// the numpy reference by kernels.test.mjs; here only the bits across thread counts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTensor, loadVectors, place } from './_helpers.mjs';
import { OPSET } from '../../js_runtime/src/opset.js';
import { inferNode } from '../../js_runtime/src/shape_rules.js';
import { viewOf } from '../../js_runtime/src/dtypes.js';
import { createWasmBackend } from '../../js_runtime/src/backends/wasm/index.js';
import { setMinParallelWork } from '../../js_runtime/src/backends/wasm/threads/split.js';
import { setCallerClaims } from '../../js_runtime/src/backends/wasm/threads/pool.js';
import { onlyWorkers } from './_threads.mjs';

/** Output bytes of every case of every op on `backend`, by "op/case". */
function runAll(backend) {
  /** @type {Map<string, Uint8Array>} */
  const out = new Map();
  for (const doc of loadVectors()) {
    for (const c of doc.cases) {
      const inputs = c.inputs.map((t) => (t === null ? null : decodeTensor(t)));
      while (inputs.length && inputs[inputs.length - 1] === null && !OPSET.ops[doc.op].inputs.at(-1)?.variadic)
        inputs.pop();
      const shapes = inputs.map((t) => t && t.shape);
      const { shape, dtype } = inferNode(
        doc.op,
        shapes,
        inputs.map((t) => t && t.dtype),
        c.attrs,
      );
      const { views, arena } = place(backend, [...inputs, { shape, dtype }]);
      const output = /** @type {any} */ (views.pop());
      backend.kernels[doc.op](views, c.attrs, output);
      const got = viewOf(dtype, arena.buffer, output.data.byteOffset, output.data.length);
      out.set(`${doc.op}/${c.name}`, new Uint8Array(got.buffer, got.byteOffset, got.byteLength).slice());
      backend.releaseArena(arena);
    }
  }
  return out;
}

test('every op vector: 2, 3 and 4 threads (every call split, run by the workers) give the bits of 1', async () => {
  const one = await createWasmBackend({ threads: 1 });
  const want = runAll(one);
  one.dispose();
  assert.ok(want.size > 100, `${want.size} cases`);
  for (const threads of [2, 3, 4]) {
    const backend = await createWasmBackend({ threads });
    assert.equal(backend.threads, threads);
    await onlyWorkers(threads - 1);
    const was = setMinParallelWork(0);
    setCallerClaims(false);
    let got;
    try {
      got = runAll(backend);
    } finally {
      setCallerClaims(true);
      setMinParallelWork(was);
      backend.dispose();
    }
    for (const [key, bytes] of want) assert.deepEqual(got.get(key), bytes, `${key} with ${threads} threads`);
  }
});
