/** @typedef {import('../../interface.js').View} View */
/**
 * @param {'ReduceSum' | 'ReduceMean' | 'ReduceMax'} op
 * @returns {import('../../interface.js').Kernel}
 */
export function reduceKernel(op: "ReduceSum" | "ReduceMean" | "ReduceMax"): import("../../interface.js").Kernel;
export type View = import("../../interface.js").View;
