/**
 * The row loop of SoftmaxGrad and LogSoftmaxGrad: for each row along `axis`, a float64 sum, then each
 * element from the sum.
 * @module
 */

import { aroundAxis } from '../../../../math/axis.js';

/** @typedef {import('../../../interface.js').View} View */

/**
 * SoftmaxGrad: y * (g - sum(g * y)); LogSoftmaxGrad: g - exp(y) * sum(g) (y the forward output).
 * @param {'SoftmaxGrad' | 'LogSoftmaxGrad'} op
 * @returns {import('../../../interface.js').Kernel}
 */
export function softmaxGradKernel(op) {
  const log = op === 'LogSoftmaxGrad';
  return (inputs, attrs, output) => {
    const g = /** @type {View} */ (inputs[0]);
    const G = g.data;
    const Y = /** @type {View} */ (inputs[1]).data;
    const D = output.data;
    const [outer, n, inner] = aroundAxis(op, g.shape, attrs.axis);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let sum = 0;
        if (log) {
          for (let k = 0, p = base; k < n; k++, p += inner) sum += G[p];
          for (let k = 0, p = base; k < n; k++, p += inner) D[p] = G[p] - Math.exp(Y[p]) * sum;
        } else {
          for (let k = 0, p = base; k < n; k++, p += inner) sum += G[p] * Y[p];
          for (let k = 0, p = base; k < n; k++, p += inner) D[p] = G[p] * Y[p] - Y[p] * sum;
        }
      }
    }
  };
}
