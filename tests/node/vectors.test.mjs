// The shared op test vectors are readable from Node with no dependencies: every file parses, every
// tensor decodes to exactly dtype x shape bytes, and a few elementwise ops recomputed in plain JS
// match the numpy reference's expected output within the op set's tolerance.
//
//   node --test tests/node/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { halfToFloat } from '../../js_runtime/src/dtypes.js';

const VECTOR_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');
const OPSET = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'exporter', 'opset.json'), 'utf8'),
);

const TYPED = {
  float32: Float32Array,
  int32: Int32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  float16: Uint16Array, // raw IEEE half bits; decoded by the package's halfToFloat
};

/** Decodes a {dtype, shape, data} tensor into {dtype, shape, values (typed array), bytes}. */
function decode(t) {
  const buf = Buffer.from(t.data, 'base64');
  const Typed = TYPED[t.dtype];
  assert.ok(Typed, `unknown dtype ${t.dtype}`);
  const size = t.shape.reduce((a, b) => a * b, 1);
  assert.equal(buf.byteLength, size * Typed.BYTES_PER_ELEMENT, `byte length for ${t.dtype} ${JSON.stringify(t.shape)}`);
  // Copy into an aligned buffer: Buffer.from may hand out a slice of a shared pool at any offset.
  const aligned = new Uint8Array(buf.byteLength);
  aligned.set(buf);
  return { dtype: t.dtype, shape: t.shape, values: new Typed(aligned.buffer), bytes: buf.byteLength };
}

function loadAll() {
  return readdirSync(VECTOR_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(VECTOR_DIR, f), 'utf8')));
}

/** Index into a (right-aligned) broadcast input for output flat index i. */
function broadcastIndex(i, outShape, inShape) {
  let idx = 0;
  let stride = 1;
  let rest = i;
  const lead = outShape.length - inShape.length;
  for (let d = outShape.length - 1; d >= 0; d--) {
    const coord = rest % outShape[d];
    rest = Math.floor(rest / outShape[d]);
    const k = d - lead;
    if (k >= 0) {
      if (inShape[k] !== 1) idx += coord * stride;
      stride *= inShape[k];
    }
  }
  return idx;
}

function closeEnough(got, want, tol) {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (!Number.isFinite(want)) return got === want;
  return Math.abs(got - want) <= tol.atol + tol.rtol * Math.abs(want);
}

const JS_OPS = {
  Add: (a, b) => Math.fround(a + b),
  Mul: (a, b) => Math.fround(a * b),
  Maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  Relu: (x) => (Number.isNaN(x) ? NaN : Math.max(x, 0)),
};

test('every op of the op set has a vector file', () => {
  const ops = new Set(loadAll().map((d) => d.op));
  for (const name of Object.keys(OPSET.ops)) assert.ok(ops.has(name), `missing tests/vectors/${name}.json`);
});

test('every tensor decodes to dtype x shape bytes', () => {
  let tensors = 0;
  for (const doc of loadAll()) {
    assert.equal(doc.opsetVersion, OPSET.opsetVersion, `${doc.op}: opsetVersion`);
    assert.ok(doc.cases.length > 0, `${doc.op}: no cases`);
    for (const c of doc.cases) {
      assert.deepEqual(Object.keys(c.attrs).sort(), Object.keys(OPSET.ops[doc.op].attrs).sort(), `${doc.op}/${c.name}`);
      for (const t of [...c.inputs, ...c.expected]) {
        if (t === null) continue;
        const d = decode(t);
        if (t.dtype === 'float16') d.values.forEach((h) => halfToFloat(h));
        tensors++;
      }
    }
  }
  assert.ok(tensors > 100, `only ${tensors} tensors`);
});

test('every reject (an input a shape rule refuses) is well-formed and belongs to an op with an "empty" rule', () => {
  let rejects = 0;
  for (const doc of loadAll()) {
    for (const r of doc.rejects ?? []) {
      assert.deepEqual(Object.keys(r).sort(), ['attrs', 'error', 'inputs', 'name'], `${doc.op}/${r.name}`);
      assert.deepEqual(Object.keys(r.attrs).sort(), Object.keys(OPSET.ops[doc.op].attrs).sort(), `${doc.op}/${r.name}`);
      assert.equal(r.error, 'ESHAPE', `${doc.op}/${r.name}`);
      assert.ok(OPSET.ops[doc.op].empty, `${doc.op} has rejects but no 'empty' field saying why`);
      for (const t of r.inputs) if (t !== null) decode(t);
      rejects++;
    }
  }
  assert.ok(rejects >= 2, `only ${rejects} rejects`);
});

test('the ops with an "empty" rule have vectors with a zero-size axis (or rejects)', () => {
  for (const doc of loadAll()) {
    if (!OPSET.ops[doc.op].empty) continue;
    const zero = (t) => t !== null && t.shape.includes(0);
    assert.ok(
      doc.cases.some((c) => c.inputs.some(zero)) && (doc.rejects ?? []).every((r) => r.inputs.some(zero)),
      doc.op,
    );
  }
});

for (const op of Object.keys(JS_OPS)) {
  test(`${op} recomputed in plain JS matches the reference`, () => {
    const doc = loadAll().find((d) => d.op === op);
    const fn = JS_OPS[op];
    let checked = 0;
    for (const c of doc.cases) {
      const ins = c.inputs.map(decode);
      const want = decode(c.expected[0]);
      const size = want.values.length;
      for (let i = 0; i < size; i++) {
        const args = ins.map((t) => t.values[broadcastIndex(i, want.shape, t.shape)]);
        const got = fn(...args);
        assert.ok(
          closeEnough(got, want.values[i], c.tolerance),
          `${op}/${c.name}[${i}]: got ${got}, want ${want.values[i]} (inputs ${args})`,
        );
        checked++;
      }
    }
    assert.ok(checked > 20, `${op}: only ${checked} values checked`);
  });
}

test('a float16 Dequantize vector decodes to the expected float32 values', () => {
  const doc = loadAll().find((d) => d.op === 'Dequantize');
  const c = doc.cases.find((k) => k.name === 'float16_exact');
  const halves = decode(c.inputs[0]).values;
  const want = decode(c.expected[0]).values;
  halves.forEach((h, i) => assert.ok(closeEnough(halfToFloat(h), want[i], c.tolerance), `element ${i}`));
});
