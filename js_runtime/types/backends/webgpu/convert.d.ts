/**
 * Whether `dtype` is held as i32 on the GPU (else f32).
 * @param {DType} dtype
 */
export function isIntOnGpu(dtype: DType): dtype is "int32" | "int8" | "uint8";
/**
 * `data` (the typed array of `dtype`) as the 4-byte elements the GPU holds: the array itself for
 * float32 and int32, a converted copy otherwise.
 * @param {TypedArray} data
 * @param {DType} dtype
 * @returns {Float32Array | Int32Array}
 */
export function toGpu(data: TypedArray, dtype: DType): Float32Array | Int32Array;
/**
 * The values of `dtype` from the GPU's bytes (`length` elements of f32 or i32): a fresh typed array.
 * @param {ArrayBuffer} bytes a copy the caller owns (read back from a mapped buffer)
 * @param {DType} dtype
 * @param {number} length
 * @returns {TypedArray}
 */
export function fromGpu(bytes: ArrayBuffer, dtype: DType, length: number): TypedArray;
/** @typedef {import('../../dtypes.js').DType} DType */
/** @typedef {import('../../dtypes.js').TypedArray} TypedArray */
/** Bytes per element of every dtype on the GPU. */
export const GPU_ITEM: 4;
export type DType = import("../../dtypes.js").DType;
export type TypedArray = import("../../dtypes.js").TypedArray;
