import { WebgradError } from '../../../../errors.js';
import { normAxis, sizeOf } from '../../../../shapes.js';
import { scratch } from '../_scratch.js';

/** @typedef {import('../../../interface.js').View} View */

/**
 * LayerNormGrad(g, x, gamma): the gradient of LayerNorm (over the axes from `axis` to the last, biased
 * variance) for input `wrt`, as the reference's VJP, in float64 per group of m = size(x[axis:]):
 * x: (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) * inv with dxhat = g * gamma;
 * gamma: sum over the groups of g * xhat; beta: sum over the groups of g.
 * @type {import('../../../interface.js').Kernel}
 */
export function LayerNormGrad(inputs, attrs, output) {
  const G = /** @type {View} */ (inputs[0]).data;
  const x = /** @type {View} */ (inputs[1]);
  const gamma = /** @type {View} */ (inputs[2]).data;
  const axis = normAxis('LayerNormGrad', attrs.axis, x.shape.length);
  const m = sizeOf(x.shape.slice(axis));
  const X = x.data;
  const D = output.data;
  const wrt = attrs.wrt;
  if (wrt !== 'x' && wrt !== 'gamma' && wrt !== 'beta') {
    throw new WebgradError('EATTR', `LayerNormGrad: wrt must be "x", "gamma" or "beta", got ${JSON.stringify(wrt)}`);
  }
  // x: the group's xhat, then dxhat; gamma/beta: the float64 sums over the groups
  const buf = scratch(2 * m);
  if (wrt !== 'x') buf.fill(0, 0, m);
  for (let base = 0; base < X.length; base += m) {
    if (wrt === 'beta') {
      for (let k = 0; k < m; k++) buf[k] += G[base + k];
      continue;
    }
    let sum = 0;
    for (let k = 0; k < m; k++) sum += X[base + k];
    const mean = sum / m;
    let sq = 0;
    for (let k = 0; k < m; k++) {
      const d = X[base + k] - mean;
      sq += d * d;
    }
    const inv = 1 / Math.sqrt(sq / m + attrs.epsilon);
    if (wrt === 'gamma') {
      for (let k = 0; k < m; k++) buf[k] += G[base + k] * (X[base + k] - mean) * inv;
      continue;
    }
    let meanD = 0;
    let meanDX = 0;
    for (let k = 0; k < m; k++) {
      const xhat = (X[base + k] - mean) * inv;
      const dxhat = G[base + k] * gamma[k];
      buf[k] = xhat;
      buf[m + k] = dxhat;
      meanD += dxhat;
      meanDX += dxhat * xhat;
    }
    meanD /= m;
    meanDX /= m;
    for (let k = 0; k < m; k++) D[base + k] = (buf[m + k] - meanD - buf[k] * meanDX) * inv;
  }
  if (wrt !== 'x') for (let k = 0; k < m; k++) D[k] = buf[k];
}
