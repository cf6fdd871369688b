/**
 * The window walk shared by Conv2DBackpropInput and Conv2DBackpropFilter: the forward Conv2D's geometry
 * (SAME as TensorFlow, VALID or explicit padding; strides, dilations, groups), visiting every pair of
 * an output pixel and a kernel offset that reads a real (unpadded) input pixel.
 * @module
 */

import { windowOf } from '../../../../window.js';

/**
 * Calls `fn(gBase, xBase, wBase)` for each output pixel and kernel offset reading a real input pixel:
 * the offsets of g's pixel `[b, y, z, 0]`, x's pixel `[b, ih, iw, 0]` and w's tap `[i, j, 0, 0]`.
 * @param {string} op named in shape errors
 * @param {readonly number[]} xShape NHWC
 * @param {readonly number[]} wShape HWIO
 * @param {readonly number[]} gShape NHWC, the forward output's shape
 * @param {Readonly<Record<string, any>>} attrs strides, padding, dilations, groups
 * @param {(gBase: number, xBase: number, wBase: number) => void} fn
 */
export function convTaps(op, xShape, wShape, gShape, attrs, fn) {
  const [batch, h, wd, c] = xShape;
  const [kh, kw, cg, o] = wShape;
  const [, oh, ow] = gShape;
  const win = windowOf(op, [h, wd], [kh, kw], attrs.strides, attrs.padding, attrs.dilations);
  const [sh, sw] = win.strides;
  const [dh, dw] = win.dilations;
  const top = /** @type {number} */ (win.pads[0]);
  const left = /** @type {number} */ (win.pads[2]);
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < oh; y++) {
      for (let z = 0; z < ow; z++) {
        const gBase = ((b * oh + y) * ow + z) * o;
        for (let i = 0; i < kh; i++) {
          const ih = y * sh - top + i * dh;
          if (ih < 0 || ih >= h) continue;
          for (let j = 0; j < kw; j++) {
            const iw = z * sw - left + j * dw;
            if (iw < 0 || iw >= wd) continue;
            fn(gBase, ((b * h + ih) * wd + iw) * c, (i * kw + j) * cg * o);
          }
        }
      }
    }
  }
}
