import { unary } from './_elementwise.js';

/** Exp: y = exp(x); overflow gives +Inf, Exp(-Inf) = 0. */
export const Exp = unary(Math.exp);
