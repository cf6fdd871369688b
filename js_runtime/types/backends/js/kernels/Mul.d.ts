/** Mul: y = a * b with numpy broadcasting. */
export const Mul: import("../../interface.js").Kernel;
