import { sliceParams, sliceRange } from '../../../../shape_rules.js';
import { stridesOf } from '../../../../shapes.js';
import { walk } from './_walk.js';

/** @typedef {import('../../../interface.js').View} View */

/**
 * SliceGrad(g, like_x): the gradient of Slice (same starts, ends, axes, steps: numpy semantics, bounds
 * clamped, positive steps): zeros of x's shape with g written where Slice read.
 * @type {import('../../../interface.js').Kernel}
 */
export function SliceGrad(inputs, attrs, output) {
  const g = /** @type {View} */ (inputs[0]);
  const shape = output.shape;
  const own = stridesOf(shape);
  const str = [...own];
  let offset = 0;
  const p = sliceParams(shape.length, attrs);
  p.axes.forEach((axis, i) => {
    const [start] = sliceRange(shape[axis], p.starts[i], p.ends[i], p.steps[i]);
    offset += start * own[axis];
    str[axis] = own[axis] * p.steps[i];
  });
  const G = g.data;
  const D = output.data;
  D.fill(0);
  walk(g.shape, str, str, (k, q) => {
    D[offset + q] = G[k];
  });
}
