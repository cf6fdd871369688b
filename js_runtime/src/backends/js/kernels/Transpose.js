import { stridesOf } from '../../../shapes.js';

/** Transpose: y.shape[i] = x.shape[perm[i]]; walks the output in order, reading x with permuted strides.
 * @type {import('../../interface.js').Kernel} */
export function Transpose(inputs, attrs, output) {
  const x = /** @type {import('../../interface.js').View} */ (inputs[0]);
  const own = stridesOf(x.shape);
  const str = attrs.perm.map((/** @type {number} */ p) => own[p]);
  const shape = output.shape;
  const X = x.data;
  const Y = output.data;
  const rank = shape.length;
  if (Y.length === 0) return;
  if (rank === 0) {
    Y[0] = X[0];
    return;
  }
  const idx = new Array(rank).fill(0);
  const inner = shape[rank - 1];
  const step = str[rank - 1];
  let q = 0;
  for (let p = 0; p < Y.length; ) {
    for (let j = 0, r = q; j < inner; j++, r += step) Y[p++] = X[r];
    for (let d = rank - 2; d >= 0; d--) {
      q += str[d];
      if (++idx[d] < shape[d]) break;
      q -= str[d] * shape[d];
      idx[d] = 0;
    }
  }
}
