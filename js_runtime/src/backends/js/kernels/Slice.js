import { sliceParams, sliceRange } from '../../../shape_rules.js';
import { stridesOf } from '../../../shapes.js';
import { gatherStrided } from './_strided.js';

/**
 * Slice: y = x[starts:ends:steps] on the listed axes (numpy semantics: negative indices count from the
 * end, bounds clamp, positive steps). Walks the output, reading x at start + index * step per axis.
 * @type {import('../../interface.js').Kernel} */
export function Slice(inputs, attrs, output) {
  const x = /** @type {import('../../interface.js').View} */ (inputs[0]);
  const shape = output.shape;
  const rank = shape.length;
  const Y = output.data;
  const own = stridesOf(x.shape);
  const str = [...own];
  let q = 0;
  const p = sliceParams(rank, attrs);
  p.axes.forEach((axis, i) => {
    const [start] = sliceRange(x.shape[axis], p.starts[i], p.ends[i], p.steps[i]);
    q += start * own[axis];
    str[axis] = own[axis] * p.steps[i];
  });
  gatherStrided(x.data, Y, shape, str, q);
}
