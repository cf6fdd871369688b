/**
 * The activations: the unary ops Relu, Relu6, LeakyRelu, Sigmoid, Tanh, Gelu and the fused `activation`
 * of MatMul and Conv2D (applied after the bias), with the op set's NaN/Inf rules. Math is float64,
 * rounded to float32 when stored. Gelu uses an erfc accurate to ~1e-13 relative.
 * @module
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const INV_SQRT_PI = 0.5641895835477563;
const SQRT1_2 = Math.SQRT1_2;
const TANH_C = Math.sqrt(2 / Math.PI);
const TANH_K = 0.044715;

/**
 * The complementary error function, relative error below 1e-13 over the whole real line: the Taylor
 * series of erf for |x| < 2, a continued fraction (evaluated backwards) for |x| >= 2.
 * @param {number} x
 */
export function erfc(x) {
  if (x !== x) return NaN;
  const ax = Math.abs(x);
  if (ax < 2) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - TWO_OVER_SQRT_PI * sum;
  }
  if (ax > 27) return x > 0 ? 0 : 2; // exp(-729) underflows double
  // erfc(x) = exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...))))
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const v = (Math.exp(-ax * ax) * INV_SQRT_PI) / f;
  return x > 0 ? v : 2 - v;
}

/** @param {number} v */
export const relu = (v) => (v < 0 ? 0 : v); // NaN < 0 is false: NaN stays NaN

/** @param {number} v */
export const relu6 = (v) => (v < 0 ? 0 : v > 6 ? 6 : v);

/** @param {number} v @param {number} alpha */
export const leakyRelu = (v, alpha) => (v >= 0 ? v : Math.fround(alpha) * v);

/** Never overflows in float64: exp(-x) = Inf gives 0, exp(-x) = 0 gives 1. @param {number} v */
export const sigmoid = (v) => 1 / (1 + Math.exp(-v));

/** @param {number} v */
export const tanh = (v) => Math.tanh(v);

/** x * Phi(x), exact erf form; Gelu(-Inf) = 0. @param {number} v */
export function gelu(v) {
  const cdf = 0.5 * erfc(-v * SQRT1_2);
  return cdf === 0 ? 0 : v * cdf;
}

/** 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) = x * sigmoid(2u). @param {number} v */
export function geluTanh(v) {
  const cdf = sigmoid(2 * TANH_C * (v + TANH_K * v * v * v));
  return cdf === 0 ? 0 : v * cdf;
}

/**
 * Adds `bias` (when given) to `acc[0..n)` and applies activation `name`, writing into `out` from `at`.
 * The epilogue of MatMul and Conv2D.
 * @param {Float64Array} acc
 * @param {number} n
 * @param {Float32Array | null} bias
 * @param {number} biasAt offset into bias
 * @param {import('../../../dtypes.js').TypedArray} out
 * @param {number} at
 * @param {string} name one of the op set's activations
 * @param {number} alpha leaky_relu slope
 */
export function epilogue(acc, n, bias, biasAt, out, at, name, alpha) {
  if (bias !== null) for (let j = 0; j < n; j++) acc[j] += bias[biasAt + j];
  switch (name) {
    case 'none':
      for (let j = 0; j < n; j++) out[at + j] = acc[j];
      return;
    case 'relu':
      for (let j = 0; j < n; j++) out[at + j] = relu(acc[j]);
      return;
    case 'relu6':
      for (let j = 0; j < n; j++) out[at + j] = relu6(acc[j]);
      return;
    case 'leaky_relu':
      // The reference rounds the pre-activation to float32 before the slope.
      for (let j = 0; j < n; j++) out[at + j] = leakyRelu(Math.fround(acc[j]), alpha);
      return;
    case 'sigmoid':
      for (let j = 0; j < n; j++) out[at + j] = sigmoid(acc[j]);
      return;
    case 'tanh':
      for (let j = 0; j < n; j++) out[at + j] = tanh(acc[j]);
      return;
    case 'gelu':
      for (let j = 0; j < n; j++) out[at + j] = gelu(acc[j]);
      return;
    default:
      throw new Error(`unknown activation ${JSON.stringify(name)}`);
  }
}
