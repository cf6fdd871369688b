/** Relu6: y = min(max(x, 0), 6); NaN stays NaN. */
export const Relu6: import("../../interface.js").Kernel;
