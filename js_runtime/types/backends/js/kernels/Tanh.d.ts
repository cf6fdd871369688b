/** Tanh: y = tanh(x); Tanh(±Inf) = ±1. */
export const Tanh: import("../../interface.js").Kernel;
