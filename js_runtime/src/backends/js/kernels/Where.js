import { broadcastStrides } from '../../../shapes.js';

/** @typedef {import('../../interface.js').Kernel} Kernel */
/** @typedef {import('../../interface.js').View} View */

/**
 * Where(cond, x, y): x where cond != 0 else y, numpy broadcasting of all three; values are selected,
 * never computed (a NaN cond is != 0, so it picks x).
 * @type {Kernel}
 */
export function Where(inputs, _attrs, output) {
  const [c, x, y] = /** @type {[View, View, View]} */ (inputs);
  const out = output.data;
  const shape = output.shape;
  const rank = shape.length;
  const strides = [c, x, y].map((v) => broadcastStrides(v.shape, shape));
  const idx = new Array(rank).fill(0);
  const pos = [0, 0, 0];
  for (let i = 0; i < out.length; i++) {
    out[i] = c.data[pos[0]] !== 0 ? x.data[pos[1]] : y.data[pos[2]];
    for (let d = rank - 1; d >= 0; d--) {
      for (let k = 0; k < 3; k++) pos[k] += strides[k][d];
      if (++idx[d] < shape[d]) break;
      for (let k = 0; k < 3; k++) pos[k] -= strides[k][d] * shape[d];
      idx[d] = 0;
    }
  }
}
