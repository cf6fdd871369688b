/**
 * MatMul: y = act(op(a) @ op(b) + bias), op transposing the last two axes when its flag is set; batch
 * dims broadcast. Accumulates in float64, one output row at a time.
 * @module
 */

import { broadcastStrides, sizeOf, stridesOf } from '../../../shapes.js';
import { epilogue } from './_activation.js';
import { scratch } from './_scratch.js';

/** @typedef {import('../../interface.js').View} View */

/** @type {import('../../interface.js').Kernel} */
export function MatMul(inputs, attrs, output) {
  const a = /** @type {View} */ (inputs[0]);
  const b = /** @type {View} */ (inputs[1]);
  const bias = inputs[2] ? /** @type {Float32Array} */ (inputs[2].data) : null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [m, k] = attrs.transpose_a ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const n = attrs.transpose_b ? b.shape[rb - 2] : b.shape[rb - 1];
  // Element (i, p) of op(a) is at i * sai + p * sak; element (p, j) of op(b) at p * sbk + j * sbj.
  const [sai, sak] = attrs.transpose_a ? [1, m] : [k, 1];
  const [sbk, sbj] = attrs.transpose_b ? [1, k] : [n, 1];
  const batch = output.shape.slice(0, -2);
  const batchA = broadcastStrides(a.shape.slice(0, -2), batch);
  const batchB = broadcastStrides(b.shape.slice(0, -2), batch);
  const outer = stridesOf(batch);
  const A = a.data;
  const B = b.data;
  const Y = output.data;
  const acc = scratch(n);
  const count = sizeOf(batch);
  for (let t = 0; t < count; t++) {
    let offA = 0;
    let offB = 0;
    for (let d = 0, rest = t; d < batch.length; d++) {
      const coord = Math.floor(rest / outer[d]);
      rest -= coord * outer[d];
      offA += coord * batchA[d];
      offB += coord * batchB[d];
    }
    offA *= m * k;
    offB *= k * n;
    for (let i = 0; i < m; i++) {
      const rowA = offA + i * sai;
      if (sbj === 1) {
        acc.fill(0, 0, n);
        for (let p = 0; p < k; p++) {
          const av = A[rowA + p * sak];
          const rowB = offB + p * sbk;
          for (let j = 0; j < n; j++) acc[j] += av * B[rowB + j];
        }
      } else {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0, qa = rowA, qb = offB + j * sbj; p < k; p++, qa += sak, qb += sbk) s += A[qa] * B[qb];
          acc[j] = s;
        }
      }
      epilogue(acc, n, bias, 0, Y, (t * m + i) * n, attrs.activation, attrs.alpha);
    }
  }
}
