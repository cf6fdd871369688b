import { windowOf } from '../../../window.js';
import { ACTIVATIONS, CONV2D_PARAMS_BYTES, writeConv2dParams } from '../params.js';

/** @typedef {import('./_context.js').Ctx} Ctx */
/** @typedef {import('../../interface.js').View} View */

/**
 * wg_conv2d_params for x `[N,H,W,C]`, w `[KH,KW,C/groups,O]` (SAME padding resolved here, TF rule).
 * @param {readonly number[]} xs @param {readonly number[]} ws @param {import('../../interface.js').Attrs} attrs
 * @param {boolean} wPacked
 * @returns {import('../params.generated.js').Conv2dParams}
 */
export function conv2dFields(xs, ws, attrs, wPacked) {
  const [N, H, W, C] = xs;
  const [KH, KW, , O] = ws;
  const win = windowOf('Conv2D', [H, W], [KH, KW], attrs.strides, attrs.padding, attrs.dilations);
  const [OH, OW] = /** @type {[number, number]} */ (win.out);
  return {
    N,
    H,
    W,
    C,
    OH,
    OW,
    O,
    KH,
    KW,
    strideH: win.strides[0],
    strideW: win.strides[1],
    dilationH: win.dilations[0],
    dilationW: win.dilations[1],
    padTop: /** @type {number} */ (win.pads[0]),
    padLeft: /** @type {number} */ (win.pads[2]),
    groups: attrs.groups,
    activation: ACTIVATIONS.indexOf(attrs.activation),
    alpha: attrs.alpha,
    wPacked,
  };
}

/**
 * Conv2D (NHWC, HWIO) by `wg_Conv2D`; a filter pre-packed at load (`w.packed`) skips the packing.
 * @param {Ctx} ctx
 * @returns {import('./_context.js').Kernel}
 */
export function Conv2D(ctx) {
  const fn = ctx.ex.wg_Conv2D;
  const qfn = ctx.ex.wg_Conv2D_q; // a filter kept as int8 / float16 (`w.quant`, ../quantized.js)
  return (inputs, attrs, y) => {
    const x = /** @type {View} */ (inputs[0]);
    const w = /** @type {View} */ (inputs[1]);
    const packed = typeof w.packed === 'number';
    ctx.paramsFor(y, x, CONV2D_PARAMS_BYTES, (dv, p) =>
      writeConv2dParams(dv, p, conv2dFields(x.shape, w.shape, attrs, packed)),
    );
    const wp = packed ? /** @type {number} */ (w.packed) : ctx.ptr(w);
    const q = /** @type {{kind: number, scales: number} | undefined} */ (/** @type {any} */ (w).quant);
    if (q)
      ctx.check('Conv2D_q', qfn(ctx.ptr(x), wp, q.scales, ctx.ptr(inputs[2] ?? null), ctx.ptr(y), ctx.params, q.kind));
    else ctx.check('Conv2D', fn(ctx.ptr(x), wp, ctx.ptr(inputs[2] ?? null), ctx.ptr(y), ctx.params));
  };
}

/**
 * Conv2DTranspose (x NHWC, w [KH, KW, O, C]) by `wg_Conv2DTranspose`: the params of the Conv2D it
 * transposes, from y's shape (that conv's input) back to x's, with this op's activation.
 * @param {Ctx} ctx
 * @returns {import('./_context.js').Kernel}
 */
export function Conv2DTranspose(ctx) {
  const fn = ctx.ex.wg_Conv2DTranspose;
  return (inputs, attrs, y) => {
    const x = /** @type {View} */ (inputs[0]);
    const w = /** @type {View} */ (inputs[1]);
    const conv = { ...attrs, groups: 1 };
    writeConv2dParams(ctx.dv(), ctx.params, conv2dFields(y.shape, w.shape, conv, false));
    ctx.check('Conv2DTranspose', fn(ctx.ptr(x), ctx.ptr(w), ctx.ptr(inputs[2] ?? null), ctx.ptr(y), ctx.params));
  };
}
