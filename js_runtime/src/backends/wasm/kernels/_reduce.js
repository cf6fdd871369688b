import { normAxes } from '../../../shapes.js';
import { writeReduceParams } from '../params.js';

/** @typedef {import('./_context.js').Ctx} Ctx */
/** @typedef {import('../../interface.js').View} View */

/**
 * ReduceSum / ReduceMean / ReduceMax over `axes` (null: all) by `wg_<op>`; keepdims changes only the shape.
 * @param {Ctx} ctx
 * @param {'ReduceSum' | 'ReduceMean' | 'ReduceMax'} op
 * @returns {import('./_context.js').Kernel}
 */
export function reduceKernel(ctx, op) {
  const fn = ctx.ex[`wg_${op}`];
  return (inputs, attrs, y) => {
    const x = /** @type {View} */ (inputs[0]);
    const axesMask = normAxes(op, attrs.axes, x.shape.length).reduce((m, a) => m | (1 << a), 0);
    writeReduceParams(ctx.dv(), ctx.params, { rank: x.shape.length, shape: x.shape, axesMask });
    ctx.check(op, fn(ctx.ptr(x), ctx.ptr(y), ctx.params));
  };
}
