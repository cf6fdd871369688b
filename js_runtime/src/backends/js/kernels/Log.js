import { unary } from './_elementwise.js';

/** Log: y = ln(x); Log(0) = -Inf, Log(x < 0) = NaN. */
export const Log = unary(Math.log);
