import { broadcastStrides, stridesOf } from '../../../../shapes.js';
import { scratch } from '../_scratch.js';
import { walk } from './_walk.js';

/** @typedef {import('../../../interface.js').View} View */

/**
 * SumTo(g, like): g summed over the dims numpy broadcasting stretched `like`'s shape to (leading dims,
 * and dims of size 1 in `like`): the gradient of a broadcast operand. Accumulates in float64.
 * @type {import('../../../interface.js').Kernel}
 */
export function SumTo(inputs, _attrs, output) {
  const g = /** @type {View} */ (inputs[0]);
  const G = g.data;
  const Y = output.data;
  const acc = scratch(Y.length);
  acc.fill(0, 0, Y.length);
  walk(g.shape, stridesOf(g.shape), broadcastStrides(output.shape, g.shape), (p, _q, q) => {
    acc[q] += G[p];
  });
  for (let j = 0; j < Y.length; j++) Y[j] = acc[j];
}
