import { poolWindow } from '../../../window.js';
import { writePool2dParams } from '../params.js';

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
    const [N, H, W, C] = x.shape;
    const win = poolWindow(op, x.shape, /** @type {any} */ (attrs));
    const [OH, OW] = /** @type {[number, number]} */ (win.out);
    writePool2dParams(ctx.dv(), ctx.params, {
      N,
      H,
      W,
      C,
      OH,
      OW,
      KH: win.kernel[0],
      KW: win.kernel[1],
      strideH: win.strides[0],
      strideW: win.strides[1],
      padTop: /** @type {number} */ (win.pads[0]),
      padLeft: /** @type {number} */ (win.pads[2]),
    });
    ctx.check(op, fn(ctx.ptr(x), ctx.ptr(y), ctx.params));
  };
}
