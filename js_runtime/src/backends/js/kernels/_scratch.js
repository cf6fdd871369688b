/**
 * A reusable float64 accumulator for the js kernels (kernels never run nested, so one suffices);
 * it grows to the largest size asked and is never freed.
 * @module
 */

let buffer = new Float64Array(256);

/**
 * A Float64Array of at least `n` elements (contents undefined).
 * @param {number} n
 */
export function scratch(n) {
  if (buffer.length < n) buffer = new Float64Array(Math.max(n, buffer.length * 2));
  return buffer;
}
