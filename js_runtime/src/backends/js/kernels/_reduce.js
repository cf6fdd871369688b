/**
 * ReduceSum / ReduceMean / ReduceMax over `axes` (null: all), accumulating in float64. Each input
 * element is added into its output slot through strides that are 0 along the reduced axes.
 * @module
 */

import { normAxes, sizeOf, stridesOf } from '../../../shapes.js';
import { scratch } from './_scratch.js';

/** @typedef {import('../../interface.js').View} View */

/**
 * @param {'ReduceSum' | 'ReduceMean' | 'ReduceMax'} op
 * @returns {import('../../interface.js').Kernel}
 */
export function reduceKernel(op) {
  const isMax = op === 'ReduceMax';
  return (inputs, attrs, output) => {
    const x = /** @type {View} */ (inputs[0]);
    const shape = x.shape;
    const axes = normAxes(op, attrs.axes, shape.length);
    const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const keptStrides = stridesOf(kept);
    const ostr = shape.map((_, i) => (axes.includes(i) ? 0 : keptStrides[i]));
    const count = sizeOf(axes.map((a) => shape[a]));
    const X = x.data;
    const Y = output.data;
    const acc = scratch(Y.length);
    acc.fill(isMax ? -Infinity : 0, 0, Y.length);
    const rank = shape.length;
    const idx = new Array(rank).fill(0);
    let q = 0;
    for (let p = 0; p < X.length; p++) {
      const v = X[p];
      if (!isMax) acc[q] += v;
      else if (v > acc[q] || v !== v) acc[q] = v; // a NaN, once in, stays
      for (let d = rank - 1; d >= 0; d--) {
        q += ostr[d];
        if (++idx[d] < shape[d]) break;
        q -= ostr[d] * shape[d];
        idx[d] = 0;
      }
    }
    const div = op === 'ReduceMean' ? count : 1;
    for (let j = 0; j < Y.length; j++) Y[j] = acc[j] / div;
  };
}
