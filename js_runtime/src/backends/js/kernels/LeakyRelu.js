import { leakyRelu } from './_activation.js';
import { unary } from './_elementwise.js';

/** LeakyRelu: y = x if x >= 0 else alpha * x; NaN stays NaN. */
export const LeakyRelu = unary((v, attrs) => leakyRelu(v, attrs.alpha));
