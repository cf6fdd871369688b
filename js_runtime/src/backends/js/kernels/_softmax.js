/**
 * Softmax and LogSoftmax along an axis, stable (x - max first). A NaN or +Inf in a row makes the whole
 * row NaN (Inf - Inf is NaN and spreads through the sum), as the op set asks.
 * @module
 */

import { aroundAxis } from '../../../math/axis.js';

/** @typedef {import('../../interface.js').View} View */

/**
 * @param {'Softmax' | 'LogSoftmax'} op
 * @returns {import('../../interface.js').Kernel}
 */
export function softmaxKernel(op) {
  const log = op === 'LogSoftmax';
  return (inputs, attrs, output) => {
    const x = /** @type {View} */ (inputs[0]);
    const [outer, n, inner] = aroundAxis(op, x.shape, attrs.axis);
    const X = x.data;
    const Y = output.data;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let max = -Infinity;
        for (let k = 0, p = base; k < n; k++, p += inner) {
          const v = X[p];
          if (v > max || v !== v) max = v;
          if (max !== max) break;
        }
        let sum = 0;
        for (let k = 0, p = base; k < n; k++, p += inner) sum += Math.exp(X[p] - max);
        if (log) {
          const logSum = Math.log(sum);
          for (let k = 0, p = base; k < n; k++, p += inner) Y[p] = X[p] - max - logSum;
        } else {
          for (let k = 0, p = base; k < n; k++, p += inner) Y[p] = Math.exp(X[p] - max) / sum;
        }
      }
    }
  };
}
