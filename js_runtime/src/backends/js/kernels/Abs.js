import { unary } from './_elementwise.js';

/** Abs: y = |x|; float32 or int32 (|INT32_MIN| wraps to INT32_MIN when stored, as numpy's). */
export const Abs = unary(Math.abs);
