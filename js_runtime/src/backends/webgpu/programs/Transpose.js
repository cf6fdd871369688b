import { stridesOf } from '../../../shapes.js';
import { stridedCopy } from './_copy.js';

/**
 * Transpose on webgpu: a strided copy walking y in order with x's strides permuted.
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, attrs, output, limits }) {
  const x = /** @type {import('./_types.js').TensorInfo} */ (inputs[0]);
  const xs = stridesOf(x.shape);
  const perm = /** @type {number[]} */ (attrs.perm);
  return stridedCopy(
    'Transpose',
    x.dtype,
    output.shape,
    {
      x0: 0,
      xs: perm.map((p) => xs[p]),
      y0: 0,
      ys: stridesOf(output.shape),
      input: 0,
    },
    limits,
  );
}
