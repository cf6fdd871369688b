/** LeakyRelu: y = x if x >= 0 else alpha * x; NaN stays NaN. */
export const LeakyRelu: import("../../interface.js").Kernel;
