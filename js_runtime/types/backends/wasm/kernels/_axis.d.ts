/** @typedef {import('./_context.js').Ctx} Ctx */
/** @typedef {import('../../interface.js').View} View */
/**
 * Softmax / LogSoftmax / ArgMax along `axis`: `wg_<op>(x, y, outer, n, inner)`.
 * @param {Ctx} ctx
 * @param {'Softmax' | 'LogSoftmax' | 'ArgMax'} op
 * @returns {import('./_context.js').Kernel}
 */
export function axisKernel(ctx: Ctx, op: "Softmax" | "LogSoftmax" | "ArgMax"): import("./_context.js").Kernel;
export type Ctx = import("./_context.js").Ctx;
export type View = import("../../interface.js").View;
