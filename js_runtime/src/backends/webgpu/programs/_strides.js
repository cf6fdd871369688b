/**
 * Strided walks over row-major tensors, made small for the shaders: size-1 dims dropped and
 * neighbouring dims merged where every operand walks them contiguously.
 * @module
 */

/**
 * Collapses `shape` with the strides of each operand over it (0 = broadcast): drops size-1 dims and
 * merges dim i into i+1 where `strides[i] == strides[i+1] * shape[i+1]` for every operand.
 * @param {readonly number[]} shape
 * @param {readonly (readonly number[])[]} strides one stride list per operand, each as long as shape
 * @returns {{shape: number[], strides: number[][]}}
 */
export function collapse(shape, strides) {
  /** @type {number[]} */
  const outShape = [];
  /** @type {number[][]} */
  const outStrides = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[i] * shape[i])) {
      outShape[last] *= shape[i];
      strides.forEach((s, k) => {
        outStrides[k][last] = s[i];
      });
    } else {
      outShape.push(shape[i]);
      strides.forEach((s, k) => outStrides[k].push(s[i]));
    }
  }
  return { shape: outShape, strides: outStrides };
}
