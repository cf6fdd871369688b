/**
 * Sliding-window geometry of Conv2D and the 2-D pools (NHWC): SAME / VALID / explicit padding with the
 * TensorFlow rule (the odd pixel of SAME padding goes to the bottom/right), strides and dilations.
 * Mirrors authoring/raw_ops/_window.py.
 * @module
 */

import { WebgradError } from './errors.js';
import { needRank } from './shapes.js';

/** @typedef {import('./shapes.js').Dim} Dim */
/** @typedef {'SAME' | 'VALID' | readonly number[]} Padding */
/**
 * Resolved geometry; dims are null where the input size is unknown.
 * @typedef {{kernel: [number, number], strides: [number, number], dilations: [number, number],
 *   pads: [Dim, Dim, Dim, Dim], out: [Dim, Dim]}} Window
 */

/**
 * @param {string} op
 * @param {string} name
 * @param {readonly number[]} value
 * @returns {[number, number]}
 */
function pair(op, name, value) {
  if (value.length !== 2 || value.some((v) => !(v >= 1))) {
    throw new WebgradError('ESHAPE', `${op}: ${name} must be two positive ints, got [${value.join(', ')}]`);
  }
  return [value[0], value[1]];
}

/**
 * @param {Dim} n @param {number} k @param {number} s @param {number} d
 * @returns {[Dim, Dim]}
 */
function samePads(n, k, s, d) {
  if (n === null) return [null, null];
  const total = Math.max((Math.ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * @param {string} op @param {string} axis @param {Dim} n @param {number} k @param {number} s
 * @param {number} d @param {Dim} lo @param {Dim} hi
 * @returns {Dim}
 */
function outDim(op, axis, n, k, s, d, lo, hi) {
  if (n === null || lo === null || hi === null) return null;
  const span = n + lo + hi - (k - 1) * d - 1;
  if (span < 0) {
    throw new WebgradError(
      'ESHAPE',
      `${op}: the ${axis} window (${(k - 1) * d + 1} with dilation) is larger than the padded input (${n} + ${lo + hi} padding)`,
    );
  }
  return Math.floor(span / s) + 1;
}

/**
 * Resolves the padding and the output size of a window op (the Conv2D rule of the op set).
 * @param {string} op
 * @param {[Dim, Dim]} hw input height and width
 * @param {readonly number[]} kernel
 * @param {readonly number[]} strides
 * @param {Padding} padding
 * @param {readonly number[]} [dilations]
 * @param {boolean} [pool] pools refuse explicit padding as large as the window
 * @returns {Window}
 */
export function windowOf(op, hw, kernel, strides, padding, dilations = [1, 1], pool = false) {
  const k = pair(op, 'kernel size', kernel);
  const s = pair(op, 'strides', strides);
  const d = pair(op, 'dilations', dilations);
  const [h, w] = hw;
  /** @type {[Dim, Dim, Dim, Dim]} */
  let pads;
  /** @type {[Dim, Dim]} */
  let out;
  if (padding === 'SAME') {
    pads = [...samePads(h, k[0], s[0], d[0]), ...samePads(w, k[1], s[1], d[1])];
    out = [h === null ? null : Math.ceil(h / s[0]), w === null ? null : Math.ceil(w / s[1])];
  } else {
    if (padding === 'VALID') {
      pads = [0, 0, 0, 0];
    } else {
      if (!Array.isArray(padding) || padding.length !== 4 || padding.some((p) => !(Number.isInteger(p) && p >= 0))) {
        throw new WebgradError(
          'ESHAPE',
          `${op}: padding must be 'SAME', 'VALID' or [top, bottom, left, right], got ${JSON.stringify(padding)}`,
        );
      }
      const [t, b, l, r] = padding;
      pads = [t, b, l, r];
      if (pool && (Math.max(t, b) >= k[0] || Math.max(l, r) >= k[1])) {
        throw new WebgradError(
          'ESHAPE',
          `${op}: padding [${padding.join(', ')}] must be smaller than the pool size [${k.join(', ')}]`,
        );
      }
    }
    out = [
      outDim(op, 'height', h, k[0], s[0], d[0], pads[0], pads[1]),
      outDim(op, 'width', w, k[1], s[1], d[1], pads[2], pads[3]),
    ];
  }
  return { kernel: k, strides: s, dilations: d, pads, out };
}

/**
 * The window of MaxPool2D / AvgPool2D (dilation 1) for an NHWC input shape.
 * @param {string} op
 * @param {readonly Dim[]} x
 * @param {{pool_size: readonly number[], strides: readonly number[], padding: Padding}} attrs
 */
export function poolWindow(op, x, attrs) {
  needRank(op, 'x (NHWC)', x, 4);
  return windowOf(op, [x[1], x[2]], attrs.pool_size, attrs.strides, attrs.padding, [1, 1], true);
}
