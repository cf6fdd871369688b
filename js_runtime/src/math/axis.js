/**
 * Splitting a shape around one axis, shared by every backend's glue (js kernels, wasm and webgpu
 * programs) and the loader: `[outer, n, inner]`, so element (o, k, i) is at (o * n + k) * inner + i.
 * @module
 */

import { normAxis, sizeOf } from '../shapes.js';

/**
 * `[outer, n, inner]` of `shape` around `axis` (Softmax, LogSoftmax, ArgMax, Gather, ...).
 * @param {string} op named in the ESHAPE error of an axis out of range
 * @param {readonly number[]} shape
 * @param {number} axis may be negative
 * @returns {[number, number, number]}
 */
export function aroundAxis(op, shape, axis) {
  const a = normAxis(op, axis, shape.length);
  return [sizeOf(shape.slice(0, a)), shape[a], sizeOf(shape.slice(a + 1))];
}

/**
 * `[outer, channels, inner]` of a per-channel parameter along `axis` (Dequantize's scale and
 * zero_point); `axis` null (or absent): one value for the whole tensor, `[1, 1, size]`.
 * @param {string} op
 * @param {readonly number[]} shape
 * @param {number | null | undefined} axis
 * @returns {[number, number, number]}
 */
export function channelsAround(op, shape, axis) {
  return axis === null || axis === undefined ? [1, 1, sizeOf(shape)] : aroundAxis(op, shape, axis);
}
