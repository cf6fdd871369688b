/** @typedef {import('./_context.js').Ctx} Ctx */
/** @typedef {import('../../interface.js').View} View */
/**
 * The 17 int fields of wg_conv2d_params for x `[N,H,W,C]`, w `[KH,KW,C/groups,O]` (SAME padding
 * resolved here, TF rule).
 * @param {readonly number[]} xs @param {readonly number[]} ws @param {import('../../interface.js').Attrs} attrs
 * @returns {number[]}
 */
export function conv2dFields(xs: readonly number[], ws: readonly number[], attrs: import("../../interface.js").Attrs): number[];
/**
 * Conv2D (NHWC, HWIO) by `wg_Conv2D`; a filter pre-packed at load (`w.packed`) skips the packing.
 * @param {Ctx} ctx
 * @returns {import('./_context.js').Kernel}
 */
export function Conv2D(ctx: Ctx): import("./_context.js").Kernel;
export type Ctx = import("./_context.js").Ctx;
export type View = import("../../interface.js").View;
