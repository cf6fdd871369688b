/** Gelu: y = x * Phi(x) (exact erf form), or the tanh form with approximate=true; Gelu(-Inf) = 0. */
export const Gelu: import("../../interface.js").Kernel;
