import { gelu, geluTanh } from './_activation.js';
import { unary } from './_elementwise.js';

/** Gelu: y = x * Phi(x) (exact erf form), or the tanh form with approximate=true; Gelu(-Inf) = 0. */
export const Gelu = unary((v, attrs) => (attrs.approximate ? geluTanh(v) : gelu(v)));
