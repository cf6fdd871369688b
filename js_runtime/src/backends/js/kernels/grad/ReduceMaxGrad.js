import { normAxes, stridesOf } from '../../../../shapes.js';
import { scratch } from '../_scratch.js';
import { reducedStrides, walk } from './_walk.js';

/** @typedef {import('../../../interface.js').View} View */

/**
 * ReduceMaxGrad(g, x, y): the gradient of ReduceMax over `axes` (y its output, g shaped like y; with or
 * without keepdims the data is the same): g split evenly among the elements equal to the max, as the
 * reference (`hit * (g / count)`). A NaN max has no hit, so 0 * (g / 0) makes its group NaN there too.
 * @type {import('../../../interface.js').Kernel}
 */
export function ReduceMaxGrad(inputs, attrs, output) {
  const x = /** @type {View} */ (inputs[1]);
  const G = /** @type {View} */ (inputs[0]).data;
  const X = x.data;
  const Y = /** @type {View} */ (inputs[2]).data;
  const D = output.data;
  const shape = x.shape;
  const own = stridesOf(shape);
  const kept = reducedStrides(shape, normAxes('ReduceMaxGrad', attrs.axes, shape.length));
  const count = scratch(Y.length);
  count.fill(0, 0, Y.length);
  walk(shape, own, kept, (p, _p, q) => {
    if (X[p] === Y[q]) count[q]++;
  });
  walk(shape, own, kept, (p, _p, q) => {
    D[p] = (X[p] === Y[q] ? 1 : 0) * (G[q] / count[q]);
  });
}
