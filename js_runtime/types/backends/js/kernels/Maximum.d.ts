/** Maximum: y = max(a, b) with numpy broadcasting; NaN if either is NaN (numpy.maximum). */
export const Maximum: import("../../interface.js").Kernel;
