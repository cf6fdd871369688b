// The coverage table (exporter/coverage.json) against the JS side: each JS-side column agrees with the
// registry that runs it — the js backend's KERNELS, the wasm backend's kernel table (a real instance,
// its kernels bound to the build's wg_<Op> exports), the WebGPU PROGRAMS and shader keys, and the
// executor's ALIAS_OPS for alias cells. tests/test_opset_coverage.py checks all five columns from Python.
//
//   node --test tests/node/coverage.test.mjs

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './_helpers.mjs';
import { EXCLUDED, VIEW_OPS } from './_webgpu.mjs';
import { OPSET } from '../../js_runtime/src/opset.js';
import { GRAD_OPS } from '../../js_runtime/src/grad_opset.js';
import { ALIAS_OPS } from '../../js_runtime/src/executor.js';
import { getBackend } from '../../js_runtime/src/backends/index.js';
import { KERNELS } from '../../js_runtime/src/backends/js/kernels/index.js';
import { PROGRAMS } from '../../js_runtime/src/backends/webgpu/programs/index.js';
import { SHADERS } from '../../js_runtime/src/backends/webgpu/shaders.generated.js';

const TABLE = JSON.parse(readFileSync(join(ROOT, 'exporter', 'coverage.json'), 'utf8'));
const OPS = Object.keys(OPSET.ops);
// the gradient ops of in-runtime training have rows too (js and wasm kernels; no WebGPU program)
const ROWS = { ...TABLE.ops, ...TABLE.gradOps };
const ALL = [...OPS, ...Object.keys(GRAD_OPS)];
const wasm = await getBackend('wasm').create();
after(() => wasm.dispose());

/** The ops whose cell on `impl` lists files (a kernel of their own), and those that are aliases. */
function column(impl) {
  const files = ALL.filter((op) => Array.isArray(ROWS[op][impl]));
  const alias = ALL.filter((op) => ROWS[op][impl]?.alias);
  return { files, alias };
}

/** Op names of a registry whose value is a function. */
const registered = (o) =>
  Object.keys(o)
    .filter((k) => typeof o[k] === 'function')
    .sort();

test('the table has a row for every op and gradient op, five cells each, and its files exist', () => {
  assert.deepEqual(Object.keys(TABLE.ops), OPS);
  assert.deepEqual(Object.keys(TABLE.gradOps), Object.keys(GRAD_OPS));
  for (const op of ALL) {
    assert.deepEqual(Object.keys(ROWS[op]), ['numpy', 'jax', 'js', 'wasm', 'webgpu'], op);
    for (const [impl, cell] of Object.entries(ROWS[op])) {
      if (Array.isArray(cell))
        for (const f of cell) assert.ok(existsSync(join(ROOT, f)), `${op}/${impl}: ${f} does not exist`);
      else assert.ok(Object.values(cell)[0], `${op}/${impl}: an exclusion or alias says why`);
    }
  }
});

for (const [impl, registry, where] of [
  ['js', () => KERNELS, "the js backend's KERNELS"],
  ['wasm', () => wasm.kernels, "the wasm backend's kernel table"],
  ['webgpu', () => PROGRAMS, 'the WebGPU PROGRAMS'],
]) {
  test(`${impl}: the table's column is ${where}, exactly`, () => {
    assert.deepEqual(
      registered(registry()),
      column(impl).files.sort(),
      `${impl}: exporter/coverage.json and ${where} disagree`,
    );
  });
}

test('wasm: every op with a C file is a wg_<Op> export of the build the backend loaded', () => {
  // the glue binds each kernel to its export at creation; a missing export fails there or here
  for (const op of column('wasm').files)
    assert.equal(typeof wasm.kernels[op], 'function', `${op}/wasm: no kernel in the glue`);
});

test('webgpu: the shader keys are the ops with WGSL (<Op> or <Op>_<variant>)', () => {
  const ops = [...new Set(Object.keys(SHADERS).map((k) => k.split('_')[0]))].sort();
  assert.deepEqual(ops, column('webgpu').files.sort());
});

test('alias cells are ops the executor plans as views, with no program or kernel of their own', () => {
  for (const impl of ['js', 'wasm', 'webgpu']) {
    for (const op of column(impl).alias) {
      assert.ok(ALIAS_OPS.has(op), `${op}/${impl}: an alias in the table, not in ALIAS_OPS`);
    }
  }
  assert.deepEqual(column('webgpu').alias.sort(), [...VIEW_OPS].sort(), 'tests/node/_webgpu.mjs VIEW_OPS');
  assert.deepEqual(
    OPS.filter((op) => TABLE.ops[op].webgpu.excluded),
    Object.keys(EXCLUDED),
    'tests/node/_webgpu.mjs EXCLUDED',
  );
});
