/** Minimum: y = min(a, b) with numpy broadcasting; NaN if either is NaN (numpy.minimum). */
export const Minimum: import("../../interface.js").Kernel;
