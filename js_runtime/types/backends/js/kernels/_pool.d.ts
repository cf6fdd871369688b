/** @typedef {import('../../interface.js').View} View */
/** @typedef {import('../../interface.js').Kernel} Kernel */
/**
 * A pooling kernel: `max` (NaN in a window gives NaN) or `avg` (divided by the real elements).
 * @param {'MaxPool2D' | 'AvgPool2D'} op
 * @returns {Kernel}
 */
export function poolKernel(op: "MaxPool2D" | "AvgPool2D"): Kernel;
export type View = import("../../interface.js").View;
export type Kernel = import("../../interface.js").Kernel;
