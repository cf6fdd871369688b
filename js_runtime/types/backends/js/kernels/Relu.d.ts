/** Relu: y = max(x, 0); NaN stays NaN. */
export const Relu: import("../../interface.js").Kernel;
