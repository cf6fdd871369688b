import { normAxis, sizeOf } from '../../../shapes.js';

/** @typedef {import('../../interface.js').View} View */

/**
 * LayerNorm over the axes from `axis` to the last, biased variance:
 * y = (x - mean) / sqrt(var + epsilon) * gamma + beta. A NaN in a group makes the whole group NaN.
 * @type {import('../../interface.js').Kernel}
 */
export function LayerNorm(inputs, attrs, output) {
  const x = /** @type {View} */ (inputs[0]);
  const gamma = /** @type {View} */ (inputs[1]).data;
  const beta = /** @type {View} */ (inputs[2]).data;
  const axis = normAxis('LayerNorm', attrs.axis, x.shape.length);
  const m = sizeOf(x.shape.slice(axis));
  const X = x.data;
  const Y = output.data;
  for (let base = 0; base < X.length; base += m) {
    let sum = 0;
    for (let k = 0; k < m; k++) sum += X[base + k];
    const mean = sum / m;
    let sq = 0;
    for (let k = 0; k < m; k++) {
      const d = X[base + k] - mean;
      sq += d * d;
    }
    const inv = 1 / Math.sqrt(sq / m + attrs.epsilon);
    for (let k = 0; k < m; k++) Y[base + k] = (X[base + k] - mean) * inv * gamma[k] + beta[k];
  }
}
