import { relu6 } from './_activation.js';
import { unary } from './_elementwise.js';

/** Relu6: y = min(max(x, 0), 6); NaN stays NaN. */
export const Relu6 = unary(relu6);
