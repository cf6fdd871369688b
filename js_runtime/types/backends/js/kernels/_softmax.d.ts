/** @typedef {import('../../interface.js').View} View */
/**
 * @param {'Softmax' | 'LogSoftmax'} op
 * @returns {import('../../interface.js').Kernel}
 */
export function softmaxKernel(op: "Softmax" | "LogSoftmax"): import("../../interface.js").Kernel;
export type View = import("../../interface.js").View;
