import { stridesOf } from '../../../shapes.js';
import { gatherStrided } from './_strided.js';

/** Transpose: y.shape[i] = x.shape[perm[i]]; walks the output in order, reading x with permuted strides.
 * @type {import('../../interface.js').Kernel} */
export function Transpose(inputs, attrs, output) {
  const x = /** @type {import('../../interface.js').View} */ (inputs[0]);
  const own = stridesOf(x.shape);
  const str = attrs.perm.map((/** @type {number} */ p) => own[p]);
  gatherStrided(x.data, output.data, output.shape, str, 0);
}
