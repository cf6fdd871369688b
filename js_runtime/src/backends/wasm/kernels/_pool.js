import { poolWindow } from '../../../window.js';
import { pool2dParams } from '../params.js';

/** @typedef {import('./_context.js').Ctx} Ctx */
/** @typedef {import('../../interface.js').View} View */

/**
 * MaxPool2D / AvgPool2D (NHWC) by `wg_<op>` (padding never wins a max / is not counted in a mean).
 * @param {Ctx} ctx
 * @param {'MaxPool2D' | 'AvgPool2D'} op
 * @returns {import('./_context.js').Kernel}
 */
export function poolKernel(ctx, op) {
  const fn = ctx.ex[`wg_${op}`];
  return (inputs, attrs, y) => {
    const x = /** @type {View} */ (inputs[0]);
    const [n, h, w, c] = x.shape;
    const win = poolWindow(op, x.shape, /** @type {any} */ (attrs));
    const [oh, ow] = /** @type {[number, number]} */ (win.out);
    pool2dParams(ctx.dv(), ctx.params, [n, h, w, c, oh, ow, win.kernel[0], win.kernel[1], win.strides[0], win.strides[1],
      /** @type {number} */ (win.pads[0]), /** @type {number} */ (win.pads[2])]);
    ctx.check(op, fn(ctx.ptr(x), ctx.ptr(y), ctx.params));
  };
}
