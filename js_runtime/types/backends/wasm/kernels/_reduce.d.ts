/** @typedef {import('./_context.js').Ctx} Ctx */
/** @typedef {import('../../interface.js').View} View */
/**
 * ReduceSum / ReduceMean / ReduceMax over `axes` (null: all) by `wg_<op>`; keepdims changes only the shape.
 * @param {Ctx} ctx
 * @param {'ReduceSum' | 'ReduceMean' | 'ReduceMax'} op
 * @returns {import('./_context.js').Kernel}
 */
export function reduceKernel(ctx: Ctx, op: "ReduceSum" | "ReduceMean" | "ReduceMax"): import("./_context.js").Kernel;
export type Ctx = import("./_context.js").Ctx;
export type View = import("../../interface.js").View;
