import { WebgradError } from '../../../errors.js';
import { normAxis, sizeOf } from '../../../shapes.js';

/** @typedef {import('../../interface.js').View} View */

/**
 * Gather: y = take(data, indices, axis). Negative indices count from the end; an index outside
 * [-n, n) throws EINDEX (as the numpy reference does).
 * @type {import('../../interface.js').Kernel}
 */
export function Gather(inputs, attrs, output) {
  const data = /** @type {View} */ (inputs[0]);
  const indices = /** @type {View} */ (inputs[1]).data;
  const axis = normAxis('Gather', attrs.axis, data.shape.length);
  const outer = sizeOf(data.shape.slice(0, axis));
  const n = data.shape[axis];
  const inner = sizeOf(data.shape.slice(axis + 1));
  const count = indices.length;
  const X = data.data;
  const Y = output.data;
  for (let j = 0; j < count; j++) {
    const raw = indices[j];
    if (raw < -n || raw >= n) {
      throw new WebgradError(
        'EINDEX',
        `Gather: index ${raw} is out of range for axis ${axis} of size ${n} (data shape [${data.shape.join(', ')}]); indices must be in [-${n}, ${n})`,
      );
    }
  }
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const k = indices[j] < 0 ? indices[j] + n : indices[j];
      const from = (o * n + k) * inner;
      Y.set(X.subarray(from, from + inner), (o * count + j) * inner);
    }
  }
}
