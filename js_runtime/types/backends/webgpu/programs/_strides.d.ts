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
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): {
    shape: number[];
    strides: number[][];
};
