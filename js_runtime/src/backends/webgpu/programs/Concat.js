import { normAxis, stridesOf } from '../../../shapes.js';
import { stridedCopy } from './_copy.js';

/**
 * Concat on webgpu: one strided copy per (non-empty) input into its part of y along the axis.
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, attrs, output, limits }) {
  const axis = normAxis('Concat', attrs.axis, output.shape.length);
  const ys = stridesOf(output.shape);
  let at = 0;
  return inputs.flatMap((x, input) => {
    const shape = /** @type {import('./_types.js').TensorInfo} */ (x).shape;
    const passes = stridedCopy(
      'Concat',
      output.dtype,
      shape,
      { x0: 0, xs: stridesOf(shape), y0: at * ys[axis], ys, input },
      limits,
    );
    at += shape[axis];
    return passes;
  });
}
