import { sliceParams, sliceRange } from '../../../shape_rules.js';
import { stridesOf } from '../../../shapes.js';
import { stridedCopy } from './_copy.js';

/**
 * Slice on webgpu: a strided copy from x's start offset with x's strides times the steps.
 * @type {import('./_types.js').Program}
 */
export function program({ inputs, attrs, output, limits }) {
  const x = /** @type {import('./_types.js').TensorInfo} */ (inputs[0]);
  const p = sliceParams(x.shape.length, attrs);
  const strides = stridesOf(x.shape);
  const xs = [...strides];
  let x0 = 0;
  p.axes.forEach((axis, i) => {
    const [start] = sliceRange(x.shape[axis], p.starts[i], p.ends[i], p.steps[i]);
    x0 += start * strides[axis];
    xs[axis] = strides[axis] * p.steps[i];
  });
  return stridedCopy('Slice', x.dtype, output.shape, { x0, xs, y0: 0, ys: stridesOf(output.shape), input: 0 }, limits);
}
