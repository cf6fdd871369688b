// `webgrad conformance` (js_runtime/src/cli/conformance.js) runs the vector files' rejects: a cell
// passes only when the backend throws the reject's code before any kernel runs.
//
//   node --test tests/node/conformance.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VECTOR_DIR } from './_helpers.mjs';
import { conformance } from '../../js_runtime/src/cli/conformance.js';

/** A vector directory holding ArgMax.json, changed by `edit`. */
function argMaxVectors(edit) {
  const dir = mkdtempSync(join(tmpdir(), 'webgrad-rejects-'));
  const doc = JSON.parse(readFileSync(join(VECTOR_DIR, 'ArgMax.json'), 'utf8'));
  edit(doc);
  writeFileSync(join(dir, 'ArgMax.json'), JSON.stringify(doc));
  return { dir, doc };
}

test('the rejects are run and counted on js and wasm; each is refused with its code', async () => {
  const { dir, doc } = argMaxVectors(() => {});
  const m = await conformance(dir, ['js', 'wasm']);
  for (const b of ['js', 'wasm']) {
    assert.equal(m.cells[b].ArgMax.status, 'pass', m.cells[b].ArgMax.message);
    assert.equal(m.cells[b].ArgMax.rejects, doc.rejects.length);
  }
});

test('a reject the backend runs fails its cell, naming the reject', async () => {
  const { dir, doc } = argMaxVectors((d) => {
    // 3 x 4 ones: the axis is no longer empty, so the shape rule accepts it and the op runs
    d.rejects[0].inputs[0] = {
      dtype: 'float32',
      shape: [3, 4],
      data: Buffer.from(new Float32Array(12).fill(1).buffer).toString('base64'),
    };
    d.rejects[0].attrs = { axis: 1, keepdims: false };
  });
  const m = await conformance(dir, ['js']);
  assert.equal(m.cells.js.ArgMax.status, 'fail');
  assert.equal(m.cells.js.ArgMax.message, `${doc.rejects[0].name} (a reject): expected ESHAPE, but it ran`);
});

test('a reject that fails with another code fails its cell', async () => {
  const { dir } = argMaxVectors((d) => {
    d.rejects[0].error = 'EDTYPE';
  });
  const m = await conformance(dir, ['wasm']);
  assert.equal(m.cells.wasm.ArgMax.status, 'fail');
  assert.match(
    m.cells.wasm.ArgMax.message,
    /^empty_axis \(a reject\): expected EDTYPE, got ESHAPE: .*ArgMax: axis 1 of x \[2, 0, 3\] has size 0/,
  );
});
