/**
 * Dtypes on the GPU: shaders see only `f32` and `i32` (webgpu_shaders/README.md), so every element
 * takes 4 bytes there. float16 values live as f32 (exact), int8 and uint8 as i32; the runtime converts
 * on upload (model inputs) and on read-back (outputs).
 * @module
 */

import { STORAGE, floatToHalf, halfToFloat } from '../../dtypes.js';

/** @typedef {import('../../dtypes.js').DType} DType */
/** @typedef {import('../../dtypes.js').TypedArray} TypedArray */

/** Bytes per element of every dtype on the GPU. */
export const GPU_ITEM = 4;

/**
 * Whether `dtype` is held as i32 on the GPU (else f32).
 * @param {DType} dtype
 */
export function isIntOnGpu(dtype) {
  return dtype === 'int32' || dtype === 'int8' || dtype === 'uint8';
}

/**
 * `data` (the typed array of `dtype`) as the 4-byte elements the GPU holds: the array itself for
 * float32 and int32, a converted copy otherwise.
 * @param {TypedArray} data
 * @param {DType} dtype
 * @returns {Float32Array | Int32Array}
 */
export function toGpu(data, dtype) {
  if (dtype === 'float32') return /** @type {Float32Array} */ (data);
  if (dtype === 'int32') return /** @type {Int32Array} */ (data);
  if (dtype === 'float16') return Float32Array.from(data, halfToFloat);
  return Int32Array.from(data);
}

/**
 * The values of `dtype` from the GPU's bytes (`length` elements of f32 or i32): a fresh typed array.
 * @param {ArrayBuffer} bytes a copy the caller owns (read back from a mapped buffer)
 * @param {DType} dtype
 * @param {number} length
 * @returns {TypedArray}
 */
export function fromGpu(bytes, dtype, length) {
  if (dtype === 'float32') return new Float32Array(bytes, 0, length);
  if (dtype === 'int32') return new Int32Array(bytes, 0, length);
  if (dtype === 'float16') return Uint16Array.from(new Float32Array(bytes, 0, length), floatToHalf);
  return STORAGE[dtype].from(new Int32Array(bytes, 0, length));
}
