/** @typedef {import('./_context.js').Ctx} Ctx */
/** @typedef {import('./_context.js').Kernel} Kernel */
/**
 * Every kernel, bound to the instance behind `ctx`.
 * @param {Ctx} ctx
 * @returns {Readonly<Record<string, Kernel>>}
 */
export function makeKernels(ctx: Ctx): Readonly<Record<string, Kernel>>;
export type Ctx = import("./_context.js").Ctx;
export type Kernel = import("./_context.js").Kernel;
