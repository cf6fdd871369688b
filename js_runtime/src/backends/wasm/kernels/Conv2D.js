import { windowOf } from '../../../window.js';
import { ACTIVATIONS, CONV2D_PARAMS_BYTES, conv2dParams } from '../params.js';

/** @typedef {import('./_context.js').Ctx} Ctx */
/** @typedef {import('../../interface.js').View} View */

/**
 * The 17 int fields of wg_conv2d_params for x `[N,H,W,C]`, w `[KH,KW,C/groups,O]` (SAME padding
 * resolved here, TF rule).
 * @param {readonly number[]} xs @param {readonly number[]} ws @param {import('../../interface.js').Attrs} attrs
 * @returns {number[]}
 */
export function conv2dFields(xs, ws, attrs) {
  const [n, h, w, c] = xs;
  const [kh, kw, , o] = ws;
  const win = windowOf('Conv2D', [h, w], [kh, kw], attrs.strides, attrs.padding, attrs.dilations);
  const [oh, ow] = /** @type {[number, number]} */ (win.out);
  return [n, h, w, c, oh, ow, o, kh, kw, win.strides[0], win.strides[1], win.dilations[0], win.dilations[1],
    /** @type {number} */ (win.pads[0]), /** @type {number} */ (win.pads[2]), attrs.groups, ACTIVATIONS.indexOf(attrs.activation)];
}

/**
 * Conv2D (NHWC, HWIO) by `wg_Conv2D`; a filter pre-packed at load (`w.packed`) skips the packing.
 * @param {Ctx} ctx
 * @returns {import('./_context.js').Kernel}
 */
export function Conv2D(ctx) {
  const fn = ctx.ex.wg_Conv2D;
  return (inputs, attrs, y) => {
    const x = /** @type {View} */ (inputs[0]);
    const w = /** @type {View} */ (inputs[1]);
    const packed = typeof w.packed === 'number';
    ctx.paramsFor(y, x, CONV2D_PARAMS_BYTES, (dv, p) => conv2dParams(dv, p, conv2dFields(x.shape, w.shape, attrs), attrs.alpha, packed));
    const wp = packed ? /** @type {number} */ (w.packed) : ctx.ptr(w);
    ctx.check('Conv2D', fn(ctx.ptr(x), wp, ctx.ptr(inputs[2] ?? null), ctx.ptr(y), ctx.params));
  };
}
