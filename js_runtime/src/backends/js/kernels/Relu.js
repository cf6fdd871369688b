import { relu } from './_activation.js';
import { unary } from './_elementwise.js';

/** Relu: y = max(x, 0); NaN stays NaN. */
export const Relu = unary(relu);
