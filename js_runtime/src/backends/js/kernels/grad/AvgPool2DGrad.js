import { poolWindow } from '../../../../window.js';
import { scratch } from '../_scratch.js';

/** @typedef {import('../../../interface.js').View} View */

/**
 * AvgPool2DGrad(g, like_x): the gradient of AvgPool2D (NHWC): each window's g divided by the number of
 * real (unpadded) elements in it, as the forward op counts them (rounded to float32 like the
 * reference's share), added to each of those elements.
 * @type {import('../../../interface.js').Kernel}
 */
export function AvgPool2DGrad(inputs, attrs, output) {
  const g = /** @type {View} */ (inputs[0]);
  const shape = output.shape;
  const [batch, h, w, c] = shape;
  const win = poolWindow('AvgPool2DGrad', shape, /** @type {any} */ (attrs));
  const [oh, ow] = /** @type {[number, number]} */ (win.out);
  const [kh, kw] = win.kernel;
  const [sh, sw] = win.strides;
  const top = /** @type {number} */ (win.pads[0]);
  const left = /** @type {number} */ (win.pads[2]);
  const G = g.data;
  const D = output.data;
  const acc = scratch(D.length);
  acc.fill(0, 0, D.length);
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < oh; y++) {
      const i0 = Math.max(0, top - y * sh);
      const i1 = Math.min(kh, h + top - y * sh);
      for (let z = 0; z < ow; z++) {
        const j0 = Math.max(0, left - z * sw);
        const j1 = Math.min(kw, w + left - z * sw);
        const count = (i1 - i0) * (j1 - j0);
        const gBase = ((b * oh + y) * ow + z) * c;
        for (let i = i0; i < i1; i++) {
          const ih = y * sh - top + i;
          for (let j = j0; j < j1; j++) {
            const base = ((b * h + ih) * w + z * sw - left + j) * c;
            for (let q = 0; q < c; q++) acc[base + q] += Math.fround(G[gBase + q] / count);
          }
        }
      }
    }
  }
  for (let k = 0; k < D.length; k++) D[k] = acc[k];
}
