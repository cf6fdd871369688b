/** @typedef {import('./_context.js').Ctx} Ctx */
/** @typedef {import('../../interface.js').View} View */
/**
 * MaxPool2D / AvgPool2D (NHWC) by `wg_<op>` (padding never wins a max / is not counted in a mean).
 * @param {Ctx} ctx
 * @param {'MaxPool2D' | 'AvgPool2D'} op
 * @returns {import('./_context.js').Kernel}
 */
export function poolKernel(ctx: Ctx, op: "MaxPool2D" | "AvgPool2D"): import("./_context.js").Kernel;
export type Ctx = import("./_context.js").Ctx;
export type View = import("../../interface.js").View;
