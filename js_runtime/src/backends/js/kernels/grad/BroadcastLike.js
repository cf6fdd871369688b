import { normAxes, sizeOf } from '../../../../shapes.js';
import { gatherStrided } from '../_strided.js';
import { reducedStrides } from './_walk.js';

/** @typedef {import('../../../interface.js').View} View */

/**
 * BroadcastLike(g, like): the gradient of ReduceSum / ReduceMean(like, axes, keepdims): g (the reduced
 * shape, with or without the kept dims: the same row-major data) spread back over `like`'s shape, and
 * divided by the reduced count when `mean` (g / count first, in float32, as the reference).
 * @type {import('../../../interface.js').Kernel}
 */
export function BroadcastLike(inputs, attrs, output) {
  const g = /** @type {View} */ (inputs[0]);
  const shape = output.shape;
  const axes = normAxes('BroadcastLike', attrs.axes, shape.length);
  gatherStrided(g.data, output.data, shape, reducedStrides(shape, axes), 0);
  const count = sizeOf(axes.map((a) => shape[a]));
  if (!attrs.mean || count === 0) return;
  const Y = output.data;
  for (let j = 0; j < Y.length; j++) Y[j] /= count;
}
