/**
 * MatMul: y = act(op(a) @ op(b) + bias) by `wg_MatMul`; a weight `b` pre-packed at load (`b.packed`,
 * the address of its `wg_pack_b` panels) skips the per-call packing.
 * @param {Ctx} ctx
 * @returns {import('./_context.js').Kernel}
 */
export function MatMul(ctx: Ctx): import("./_context.js").Kernel;
export type Ctx = import("./_context.js").Ctx;
export type View = import("../../interface.js").View;
