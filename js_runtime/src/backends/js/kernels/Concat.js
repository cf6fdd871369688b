import { normAxis, sizeOf } from '../../../shapes.js';

/** @typedef {import('../../interface.js').View} View */

/**
 * Concat: joins the inputs along axis (all other dims agree), copying one contiguous run per outer index.
 * @type {import('../../interface.js').Kernel}
 */
export function Concat(inputs, attrs, output) {
  const axis = normAxis('Concat', attrs.axis, output.shape.length);
  const outer = sizeOf(output.shape.slice(0, axis));
  const inner = sizeOf(output.shape.slice(axis + 1));
  const row = output.shape[axis] * inner;
  const Y = output.data;
  let offset = 0;
  for (const input of /** @type {View[]} */ (inputs)) {
    const run = input.shape[axis] * inner;
    for (let o = 0; o < outer; o++) Y.set(input.data.subarray(o * run, (o + 1) * run), o * row + offset);
    offset += run;
  }
}
