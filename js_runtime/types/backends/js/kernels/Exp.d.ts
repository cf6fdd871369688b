/** Exp: y = exp(x); overflow gives +Inf, Exp(-Inf) = 0. */
export const Exp: import("../../interface.js").Kernel;
