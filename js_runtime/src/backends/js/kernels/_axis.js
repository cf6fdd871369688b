/**
 * Splitting a shape around one axis: `[outer, n, inner]`, so element (o, k, i) is at (o * n + k) * inner + i.
 * Shared by Softmax, LogSoftmax and ArgMax.
 * @module
 */

import { normAxis, sizeOf } from '../../../shapes.js';

/**
 * @param {string} op
 * @param {readonly number[]} shape
 * @param {number} axis may be negative
 * @returns {[number, number, number]}
 */
export function aroundAxis(op, shape, axis) {
  const a = normAxis(op, axis, shape.length);
  return [sizeOf(shape.slice(0, a)), shape[a], sizeOf(shape.slice(a + 1))];
}
