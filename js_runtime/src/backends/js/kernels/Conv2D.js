/**
 * Conv2D: y = act(conv(x, w) + bias), x NHWC, w HWIO [KH, KW, C/groups, O]; SAME (TensorFlow rule),
 * VALID or explicit padding, strides, dilations, groups (depthwise when groups = C). Direct loops that
 * accumulate all output channels of one pixel in float64.
 * @module
 */

import { windowOf } from '../../../window.js';
import { epilogue } from './_activation.js';
import { scratch } from './_scratch.js';

/** @typedef {import('../../interface.js').View} View */

/** @type {import('../../interface.js').Kernel} */
export function Conv2D(inputs, attrs, output) {
  const x = /** @type {View} */ (inputs[0]);
  const w = /** @type {View} */ (inputs[1]);
  const bias = inputs[2] ? /** @type {Float32Array} */ (inputs[2].data) : null;
  const [batch, h, wd, c] = x.shape;
  const [kh, kw, cg, o] = w.shape;
  const groups = attrs.groups;
  const og = o / groups;
  const win = windowOf('Conv2D', [h, wd], [kh, kw], attrs.strides, attrs.padding, attrs.dilations);
  const [oh, ow] = /** @type {[number, number]} */ (win.out);
  const [sh, sw] = win.strides;
  const [dh, dw] = win.dilations;
  const top = /** @type {number} */ (win.pads[0]);
  const left = /** @type {number} */ (win.pads[2]);
  const X = x.data;
  const W = w.data;
  const Y = output.data;
  const acc = scratch(o);
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < oh; y++) {
      for (let z = 0; z < ow; z++) {
        acc.fill(0, 0, o);
        for (let i = 0; i < kh; i++) {
          const ih = y * sh - top + i * dh;
          if (ih < 0 || ih >= h) continue;
          for (let j = 0; j < kw; j++) {
            const iw = z * sw - left + j * dw;
            if (iw < 0 || iw >= wd) continue;
            const xBase = ((b * h + ih) * wd + iw) * c;
            const wBase = (i * kw + j) * cg * o;
            for (let g = 0; g < groups; g++) {
              const out0 = g * og;
              for (let ci = 0; ci < cg; ci++) {
                const xv = X[xBase + g * cg + ci];
                const wRow = wBase + ci * o + out0;
                for (let q = 0; q < og; q++) acc[out0 + q] += xv * W[wRow + q];
              }
            }
          }
        }
        epilogue(acc, o, bias, 0, Y, ((b * oh + y) * ow + z) * o, attrs.activation, attrs.alpha);
      }
    }
  }
}
