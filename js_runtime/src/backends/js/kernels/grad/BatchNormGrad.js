import { WebgradError } from '../../../../errors.js';
import { scratch } from '../_scratch.js';

/** @typedef {import('../../../interface.js').View} View */

/**
 * BatchNormGrad(g, x, scale, mean, var): the gradient of BatchNorm in its inference form (mean and var
 * are constants) over the last axis, for input `wrt`, with inv = 1 / sqrt(var + epsilon):
 * x: g * scale * inv; scale: sum over all but the last axis of g * (x - mean) * inv; bias: sum of g.
 * @type {import('../../../interface.js').Kernel}
 */
export function BatchNormGrad(inputs, attrs, output) {
  const [G, X, scale, mean, variance] = /** @type {View[]} */ (inputs).map((v) => v.data);
  const c = /** @type {View} */ (inputs[1]).shape.at(-1) ?? 1;
  const D = output.data;
  const wrt = attrs.wrt;
  if (wrt !== 'x' && wrt !== 'scale' && wrt !== 'bias') {
    throw new WebgradError('EATTR', `BatchNormGrad: wrt must be "x", "scale" or "bias", got ${JSON.stringify(wrt)}`);
  }
  const buf = scratch(2 * c);
  for (let q = 0; q < c; q++) buf[c + q] = 1 / Math.sqrt(variance[q] + attrs.epsilon);
  if (wrt === 'x') {
    for (let q = 0; q < c; q++) buf[q] = scale[q] * buf[c + q];
    for (let i = 0, q = 0; i < G.length; i++, q = q + 1 === c ? 0 : q + 1) D[i] = G[i] * buf[q];
    return;
  }
  buf.fill(0, 0, c);
  if (wrt === 'bias') {
    for (let i = 0, q = 0; i < G.length; i++, q = q + 1 === c ? 0 : q + 1) buf[q] += G[i];
  } else {
    for (let i = 0, q = 0; i < G.length; i++, q = q + 1 === c ? 0 : q + 1) {
      buf[q] += G[i] * (X[i] - mean[q]) * buf[c + q];
    }
  }
  for (let q = 0; q < c; q++) D[q] = buf[q];
}
