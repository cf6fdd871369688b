import { broadcastStrides } from '../../../../shapes.js';
import { walk } from './_walk.js';

/** @typedef {import('../../../interface.js').View} View */

/**
 * MaxMinGrad(g, a, b): the gradient of Maximum / Minimum (`op` "max" / "min") for input `side`, at the
 * broadcast shape (the VJP rule then applies SumTo). As the reference: a tie goes to a (a >= b for max,
 * a <= b for min), and a NaN compares false, so its gradient goes to b. The unselected side gets g * 0.
 * @type {import('../../../interface.js').Kernel}
 */
export function MaxMinGrad(inputs, attrs, output) {
  const g = /** @type {View} */ (inputs[0]);
  const a = /** @type {View} */ (inputs[1]);
  const b = /** @type {View} */ (inputs[2]);
  const G = g.data;
  const A = a.data;
  const B = b.data;
  const D = output.data;
  const isMax = attrs.op === 'max';
  const wantA = attrs.side === 'a';
  const shape = output.shape;
  walk(shape, broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape), (p, qa, qb) => {
    const toA = isMax ? A[qa] >= B[qb] : A[qa] <= B[qb];
    D[p] = toA === wantA ? G[p] : G[p] * 0;
  });
}
