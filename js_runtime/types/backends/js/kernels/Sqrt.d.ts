/** Sqrt: y = sqrt(x); Sqrt(x < 0) = NaN, Sqrt(+Inf) = +Inf. */
export const Sqrt: import("../../interface.js").Kernel;
