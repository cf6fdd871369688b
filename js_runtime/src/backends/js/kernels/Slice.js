import { sliceParams, sliceRange } from '../../../shape_rules.js';
import { stridesOf } from '../../../shapes.js';

/**
 * Slice: y = x[starts:ends:steps] on the listed axes (numpy semantics: negative indices count from the
 * end, bounds clamp, positive steps). Walks the output, reading x at start + index * step per axis.
 * @type {import('../../interface.js').Kernel} */
export function Slice(inputs, attrs, output) {
  const x = /** @type {import('../../interface.js').View} */ (inputs[0]);
  const shape = output.shape;
  const rank = shape.length;
  const Y = output.data;
  if (Y.length === 0) return;
  const own = stridesOf(x.shape);
  const str = [...own];
  let q = 0;
  const p = sliceParams(rank, attrs);
  p.axes.forEach((axis, i) => {
    const [start] = sliceRange(x.shape[axis], p.starts[i], p.ends[i], p.steps[i]);
    q += start * own[axis];
    str[axis] = own[axis] * p.steps[i];
  });
  const X = x.data;
  if (rank === 0) {
    Y[0] = X[0];
    return;
  }
  const idx = new Array(rank).fill(0);
  const inner = shape[rank - 1];
  const step = str[rank - 1];
  for (let o = 0; o < Y.length; ) {
    for (let j = 0, r = q; j < inner; j++, r += step) Y[o++] = X[r];
    for (let d = rank - 2; d >= 0; d--) {
      q += str[d];
      if (++idx[d] < shape[d]) break;
      q -= str[d] * shape[d];
      idx[d] = 0;
    }
  }
}
