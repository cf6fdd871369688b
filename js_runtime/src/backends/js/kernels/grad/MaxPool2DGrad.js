import { poolWindow } from '../../../../window.js';
import { scratch } from '../_scratch.js';

/** @typedef {import('../../../interface.js').View} View */

/**
 * MaxPool2DGrad(g, x): the gradient of MaxPool2D (NHWC). As the reference's VJP: each window's g goes
 * to the first element equal to the window's max in row-major window order, padding included (padding
 * is -Inf, so it takes the gradient, which is then dropped, only when the max is -Inf and the padding
 * comes first); a NaN max equals nothing, so that window's g goes nowhere. Overlapping windows add;
 * every other position of a window gets g * 0 (NaN when g is NaN or Inf, as numpy's `g * hit`).
 * @type {import('../../../interface.js').Kernel}
 */
export function MaxPool2DGrad(inputs, attrs, output) {
  const g = /** @type {View} */ (inputs[0]);
  const x = /** @type {View} */ (inputs[1]);
  const [batch, h, w, c] = x.shape;
  const win = poolWindow('MaxPool2DGrad', x.shape, /** @type {any} */ (attrs));
  const [oh, ow] = /** @type {[number, number]} */ (win.out);
  const [kh, kw] = win.kernel;
  const [sh, sw] = win.strides;
  const top = /** @type {number} */ (win.pads[0]);
  const left = /** @type {number} */ (win.pads[2]);
  const X = x.data;
  const G = g.data;
  const D = output.data;
  const size = D.length;
  // one scratch buffer: the float64 gradient, then per channel the window's max and whether taken
  const acc = scratch(size + 2 * c);
  acc.fill(0, 0, size);
  const maxAt = size;
  const takenAt = size + c;
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < oh; y++) {
      for (let z = 0; z < ow; z++) {
        const gBase = ((b * oh + y) * ow + z) * c;
        acc.fill(-Infinity, maxAt, maxAt + c);
        acc.fill(0, takenAt, takenAt + c);
        for (let i = 0; i < kh; i++) {
          const ih = y * sh - top + i;
          if (ih < 0 || ih >= h) continue;
          for (let j = 0; j < kw; j++) {
            const iw = z * sw - left + j;
            if (iw < 0 || iw >= w) continue;
            const base = ((b * h + ih) * w + iw) * c;
            for (let q = 0; q < c; q++) {
              const v = X[base + q];
              if (v > acc[maxAt + q] || v !== v) acc[maxAt + q] = v; // a NaN, once in, stays
            }
          }
        }
        for (let i = 0; i < kh; i++) {
          const ih = y * sh - top + i;
          for (let j = 0; j < kw; j++) {
            const iw = z * sw - left + j;
            const real = ih >= 0 && ih < h && iw >= 0 && iw < w;
            const base = real ? ((b * h + ih) * w + iw) * c : -1;
            for (let q = 0; q < c; q++) {
              const v = real ? X[base + q] : -Infinity;
              const hit = acc[takenAt + q] === 0 && v === acc[maxAt + q];
              if (hit) acc[takenAt + q] = 1;
              if (real) acc[base + q] += hit ? G[gBase + q] : G[gBase + q] * 0;
            }
          }
        }
      }
    }
  }
  for (let k = 0; k < size; k++) D[k] = acc[k];
}
