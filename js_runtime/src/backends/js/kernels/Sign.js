import { unary } from './_elementwise.js';

/** Sign: -1, 0 or 1 by the sign of x (float32 or int32); NaN stays NaN, -0 and +0 give 0. */
export const Sign = unary((v) => (v > 0 ? 1 : v < 0 ? -1 : v === 0 ? 0 : v));
