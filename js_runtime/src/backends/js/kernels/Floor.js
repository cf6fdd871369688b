import { unary } from './_elementwise.js';

/** Floor: the largest whole number <= x; NaN, +-Inf and -0 stay. */
export const Floor = unary(Math.floor);
