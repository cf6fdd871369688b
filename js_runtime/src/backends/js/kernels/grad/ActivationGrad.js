/**
 * ActivationGrad(g, x, y): dL/dx of y = act(x), exactly as the reference's `activation_grad`
 * (authoring/raw_ops/_activation.py): the slope comes from the output y where y decides it (relu, relu6,
 * leaky_relu with alpha > 0, sigmoid, tanh) and from x otherwise (gelu, leaky_relu with alpha <= 0).
 * relu's slope at 0 is 0 (y > 0), relu6's is 0 at 0 and at 6. Those float32 formulas are rounded step
 * by step as numpy does; gelu is float64 math (the forward Gelu's erfc) rounded once.
 * A zero slope multiplies g (g * 0), so a NaN or Inf g gives NaN there, as in numpy.
 * @module
 */

import { WebgradError } from '../../../../errors.js';
import { erfc, sigmoid } from '../_activation.js';

/** @typedef {import('../../../interface.js').View} View */

const f = Math.fround;
const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const TANH_C = Math.sqrt(2 / Math.PI);
const TANH_K = 0.044715;
const THREE_K = f(3 * TANH_K);

/** d gelu / dx, exact form: Phi(x) + x phi(x). @param {number} z */
function geluSlope(z) {
  return 0.5 * erfc(-z * SQRT1_2) + z * Math.exp(-0.5 * z * z) * INV_SQRT_2PI;
}

/** d gelu / dx, tanh form: s + 2 x s (1 - s) c (1 + 3 k x^2) with s = sigmoid(2 c (x + k x^3)). @param {number} z */
function geluTanhSlope(z) {
  // The reference's float32 (3 k x) x overflows past |x| ~ 5e19, and s (1 - s) = 0 times that Inf is
  // NaN: matched here rather than giving the float64 slope (1 or 0).
  if (f(f(THREE_K * z) * z) === Infinity) return NaN;
  const s = sigmoid(2 * TANH_C * (z + TANH_K * z * z * z));
  return s + 2 * z * s * (1 - s) * TANH_C * (1 + 3 * TANH_K * z * z);
}

/** @type {import('../../../interface.js').Kernel} */
export function ActivationGrad(inputs, attrs, output) {
  const G = /** @type {View} */ (inputs[0]).data;
  const X = inputs[1] ? inputs[1].data : null;
  const Y = inputs[2] ? inputs[2].data : null;
  const D = output.data;
  const n = D.length;
  const name = attrs.activation;
  /** @param {string} which */
  const need = (which) => {
    const v = which === 'x' ? X : Y;
    if (v === null)
      throw new WebgradError('EINPUT', `ActivationGrad: activation ${name} needs input ${which}, got none`);
    return v;
  };
  switch (name) {
    case 'none':
      D.set(G.subarray(0, n));
      return;
    case 'relu': {
      const y = need('y');
      for (let i = 0; i < n; i++) D[i] = y[i] > 0 ? G[i] : G[i] * 0;
      return;
    }
    case 'relu6': {
      const y = need('y');
      for (let i = 0; i < n; i++) D[i] = y[i] > 0 && y[i] < 6 ? G[i] : G[i] * 0;
      return;
    }
    case 'leaky_relu': {
      // With alpha > 0 the sign of y is the sign of x; otherwise only x tells the side.
      const side = attrs.alpha > 0 ? need('y') : need('x');
      const alpha = f(attrs.alpha);
      for (let i = 0; i < n; i++) D[i] = side[i] >= 0 ? G[i] : G[i] * alpha;
      return;
    }
    case 'sigmoid': {
      const y = need('y');
      for (let i = 0; i < n; i++) D[i] = G[i] * f(y[i] * f(1 - y[i]));
      return;
    }
    case 'tanh': {
      const y = need('y');
      for (let i = 0; i < n; i++) D[i] = G[i] * f(1 - f(y[i] * y[i]));
      return;
    }
    case 'gelu': {
      const x = need('x');
      const slope = attrs.approximate ? geluTanhSlope : geluSlope;
      for (let i = 0; i < n; i++) D[i] = G[i] * slope(x[i]);
      return;
    }
    default:
      throw new WebgradError(
        'EATTR',
        `ActivationGrad: activation ${JSON.stringify(name)} is not one of none, relu, relu6, leaky_relu, sigmoid, tanh, gelu`,
      );
  }
}
