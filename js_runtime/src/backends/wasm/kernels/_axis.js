import { aroundAxis } from '../../../math/axis.js';

/** @typedef {import('./_context.js').Ctx} Ctx */
/** @typedef {import('../../interface.js').View} View */

/**
 * Softmax / LogSoftmax / ArgMax along `axis`: `wg_<op>(x, y, outer, n, inner)`.
 * @param {Ctx} ctx
 * @param {'Softmax' | 'LogSoftmax' | 'ArgMax'} op
 * @returns {import('./_context.js').Kernel}
 */
export function axisKernel(ctx, op) {
  const fn = ctx.ex[`wg_${op}`];
  return (inputs, attrs, y) => {
    const x = /** @type {View} */ (inputs[0]);
    const [outer, n, inner] = aroundAxis(op, x.shape, attrs.axis);
    ctx.check(op, fn(ctx.ptr(x), ctx.ptr(y), outer, n, inner));
  };
}
