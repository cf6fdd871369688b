import { unary } from './_elementwise.js';

/** Sqrt: y = sqrt(x); Sqrt(x < 0) = NaN, Sqrt(+Inf) = +Inf. */
export const Sqrt = unary(Math.sqrt);
