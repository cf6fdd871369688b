/**
 * The window loop shared by MaxPool2D and AvgPool2D (NHWC): padded positions are skipped, so they never
 * win a max and are not counted in a mean.
 * @module
 */

import { poolWindow } from '../../../window.js';
import { scratch } from './_scratch.js';

/** @typedef {import('../../interface.js').View} View */
/** @typedef {import('../../interface.js').Kernel} Kernel */

/**
 * A pooling kernel: `max` (NaN in a window gives NaN) or `avg` (divided by the real elements).
 * @param {'MaxPool2D' | 'AvgPool2D'} op
 * @returns {Kernel}
 */
export function poolKernel(op) {
  const isMax = op === 'MaxPool2D';
  return (inputs, attrs, output) => {
    const x = /** @type {View} */ (inputs[0]);
    const [batch, h, w, c] = x.shape;
    const win = poolWindow(op, x.shape, /** @type {any} */ (attrs));
    const [oh, ow] = /** @type {[number, number]} */ (win.out);
    const [kh, kw] = win.kernel;
    const [sh, sw] = win.strides;
    const top = /** @type {number} */ (win.pads[0]);
    const left = /** @type {number} */ (win.pads[2]);
    const X = x.data;
    const Y = output.data;
    const acc = scratch(c);
    for (let b = 0; b < batch; b++) {
      for (let y = 0; y < oh; y++) {
        for (let z = 0; z < ow; z++) {
          acc.fill(isMax ? -Infinity : 0, 0, c);
          let count = 0;
          for (let i = 0; i < kh; i++) {
            const ih = y * sh - top + i;
            if (ih < 0 || ih >= h) continue;
            for (let j = 0; j < kw; j++) {
              const iw = z * sw - left + j;
              if (iw < 0 || iw >= w) continue;
              count++;
              const base = ((b * h + ih) * w + iw) * c;
              if (isMax) {
                for (let q = 0; q < c; q++) {
                  const v = X[base + q];
                  if (v > acc[q] || v !== v) acc[q] = v; // a NaN, once in, stays: nothing is > NaN
                }
              } else {
                for (let q = 0; q < c; q++) acc[q] += X[base + q];
              }
            }
          }
          const at = ((b * oh + y) * ow + z) * c;
          if (isMax) for (let q = 0; q < c; q++) Y[at + q] = acc[q];
          else for (let q = 0; q < c; q++) Y[at + q] = acc[q] / count;
        }
      }
    }
  };
}
