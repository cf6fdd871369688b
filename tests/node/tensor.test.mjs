// Tensors (tensor(), data(), dataSync(), dispose()), float16 conversion and the erfc behind Gelu
// (reference values from Python's math.erfc).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, WebgradError, floatToHalf, halfToFloat, tensor } from '../../js_runtime/src/index.js';
import { erfc } from '../../js_runtime/src/backends/js/kernels/_activation.js';

test('tensor() from typed arrays, plain and nested arrays, with dtype conversion', async () => {
  const a = tensor(new Float32Array([1, 2, 3, 4]), [2, 2]);
  assert.ok(a instanceof Tensor);
  assert.deepEqual(a.shape, [2, 2]);
  assert.equal(a.dtype, 'float32');
  assert.deepEqual(Array.from(await a.data()), [1, 2, 3, 4]);
  const b = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(b.shape, [2, 3]);
  assert.deepEqual(b.toArray(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const c = tensor(Uint8Array.from([0, 255]), [2], 'float32');
  assert.ok(c.dataSync() instanceof Float32Array);
  const d = tensor([1, 2], [2], 'int32');
  assert.ok(d.dataSync() instanceof Int32Array);
  assert.equal(tensor(new Int32Array(6), [2, 3]).dtype, 'int32');
  assert.deepEqual(tensor(new Float32Array([7]), []).shape, []);
});

test('tensor() errors: wrong size, bad shape, ragged arrays, non-integers for int dtypes', () => {
  const code = (fn, c, re) => assert.throws(fn, (e) => e instanceof WebgradError && e.code === c && re.test(e.message));
  code(() => tensor(new Float32Array(5), [2, 3]), 'ESHAPE', /shape \[2, 3\] needs 6 values, data has 5/);
  code(() => tensor(new Float32Array(6), [2, -3]), 'ESHAPE', /non-negative integers/);
  code(() => tensor([[1, 2], [3]]), 'ESHAPE', /ragged/);
  code(() => tensor([1.5], [1], 'int32'), 'EDTYPE', /value 1.5 at index 0 is not a valid int32/);
  code(() => tensor([300], [1], 'uint8'), 'EDTYPE', /not a valid uint8/);
  code(() => tensor([1], [1], 'float64'), 'EDTYPE', /unknown dtype "float64"/);
  code(() => tensor('abc'), 'EARG', /typed array or an array/);
});

test('use after dispose is a clear error', async () => {
  const t = tensor([1, 2, 3]);
  t.dispose();
  t.dispose();
  assert.equal(t.isDisposed, true);
  assert.throws(
    () => t.dataSync(),
    (e) => e.code === 'EDISPOSED' && /used after dispose/.test(e.message),
  );
  await assert.rejects(t.data(), (e) => e.code === 'EDISPOSED');
});

test('float16: every half value round-trips; float32 rounds to nearest even', () => {
  for (let h = 0; h < 0x10000; h++) {
    const v = halfToFloat(h);
    if (Number.isNaN(v)) assert.ok(Number.isNaN(halfToFloat(floatToHalf(v))));
    else assert.equal(floatToHalf(v), h, `half 0x${h.toString(16)}`);
  }
  assert.equal(floatToHalf(65520), 0x7c00); // rounds up to Inf
  assert.equal(floatToHalf(65519), 0x7bff); // largest finite
  assert.equal(floatToHalf(1 + 2 ** -11), 0x3c00); // tie to even (down)
  assert.equal(floatToHalf(1 + 3 * 2 ** -11), 0x3c02); // tie to even (up)
  assert.equal(floatToHalf(2 ** -25), 0); // half of the smallest subnormal: tie to 0
  assert.equal(floatToHalf(1.5 * 2 ** -25), 1);
});

test('erfc (behind the exact Gelu) is accurate to 1e-12 relative', () => {
  const table = [
    [0, 1],
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028513],
    [2, 0.004677734981047266],
    [3, 2.2090496998585438e-5],
    [5, 1.5374597944280349e-12],
    [10, 2.088487583762545e-45],
    [-1, 1.8427007929497148],
    [-3, 1.9999779095030015],
    [1e-3, 0.9988716212090307],
  ];
  for (const [x, want] of table) {
    assert.ok(Math.abs(erfc(x) - want) <= 1e-12 * want, `erfc(${x}) = ${erfc(x)}, want ${want}`);
  }
  assert.equal(erfc(Infinity), 0);
  assert.equal(erfc(-Infinity), 2);
  assert.ok(Number.isNaN(erfc(NaN)));
});
