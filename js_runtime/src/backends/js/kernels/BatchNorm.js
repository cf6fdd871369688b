import { scratch } from './_scratch.js';

/** @typedef {import('../../interface.js').View} View */

/**
 * BatchNorm (inference form) over the last axis: y = (x - mean) / sqrt(var + epsilon) * scale + bias.
 * @type {import('../../interface.js').Kernel}
 */
export function BatchNorm(inputs, attrs, output) {
  const [x, scale, bias, mean, variance] = /** @type {View[]} */ (inputs).map((v) => v.data);
  const c = /** @type {View} */ (inputs[0]).shape.at(-1) ?? 1;
  const Y = output.data;
  const mul = scratch(c);
  for (let q = 0; q < c; q++) mul[q] = scale[q] / Math.sqrt(variance[q] + attrs.epsilon);
  for (let i = 0, q = 0; i < x.length; i++, q = q + 1 === c ? 0 : q + 1) {
    Y[i] = (x[i] - mean[q]) * mul[q] + bias[q];
  }
}
