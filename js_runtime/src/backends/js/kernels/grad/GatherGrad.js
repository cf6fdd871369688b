import { WebgradError } from '../../../../errors.js';
import { normAxis, sizeOf } from '../../../../shapes.js';
import { scratch } from '../_scratch.js';

/** @typedef {import('../../../interface.js').View} View */

/**
 * GatherGrad(g, indices, like_data): the gradient of Gather along `axis`: each index's slice of g
 * added (float64) into zeros of data's shape at that index; repeated indices add up. Negative indices
 * count from the end; one outside [-n, n) throws EINDEX as Gather does.
 * @type {import('../../../interface.js').Kernel}
 */
export function GatherGrad(inputs, attrs, output) {
  const G = /** @type {View} */ (inputs[0]).data;
  const indices = /** @type {View} */ (inputs[1]).data;
  const shape = output.shape;
  const axis = normAxis('GatherGrad', attrs.axis, shape.length);
  const outer = sizeOf(shape.slice(0, axis));
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const count = indices.length;
  for (let j = 0; j < count; j++) {
    const raw = indices[j];
    if (raw < -n || raw >= n) {
      throw new WebgradError(
        'EINDEX',
        `GatherGrad: index ${raw} is out of range for axis ${axis} of size ${n} (data shape [${shape.join(', ')}]); indices must be in [-${n}, ${n})`,
      );
    }
  }
  const D = output.data;
  const acc = scratch(D.length);
  acc.fill(0, 0, D.length);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const k = indices[j] < 0 ? indices[j] + n : indices[j];
      const to = (o * n + k) * inner;
      const from = (o * count + j) * inner;
      for (let t = 0; t < inner; t++) acc[to + t] += G[from + t];
    }
  }
  for (let k = 0; k < D.length; k++) D[k] = acc[k];
}
