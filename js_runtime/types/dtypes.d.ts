/**
 * Whether `name` is one of the five dtypes.
 * @param {unknown} name
 * @returns {name is DType}
 */
export function isDType(name: unknown): name is DType;
/**
 * Bytes per element of `dtype`.
 * @param {DType} dtype
 */
export function itemSize(dtype: DType): number;
/**
 * The dtype a typed array holds (a Uint16Array is taken as float16 bits); undefined for others.
 * @param {unknown} data
 * @returns {DType | undefined}
 */
export function dtypeOf(data: unknown): DType | undefined;
/**
 * A view of `length` elements of `dtype` on `buffer` at `byteOffset`.
 * @param {DType} dtype
 * @param {ArrayBuffer} buffer
 * @param {number} byteOffset
 * @param {number} length
 * @returns {TypedArray}
 */
export function viewOf(dtype: DType, buffer: ArrayBuffer, byteOffset: number, length: number): TypedArray;
/**
 * A new zeroed array of `length` elements of `dtype`.
 * @param {DType} dtype
 * @param {number} length
 * @returns {TypedArray}
 */
export function allocate(dtype: DType, length: number): TypedArray;
/**
 * The float value of IEEE half bits `h` (exact).
 * @param {number} h
 */
export function halfToFloat(h: number): number;
/**
 * The IEEE half bits nearest to float32(`v`) (round half to even; overflow gives ±Inf, NaN stays NaN).
 * @param {number} v
 */
export function floatToHalf(v: number): number;
/**
 * Checks that `value` is a dtype name, else throws EDTYPE naming `what`.
 * @param {unknown} value
 * @param {string} what
 * @returns {DType}
 */
export function checkDType(value: unknown, what: string): DType;
/** @typedef {'float32' | 'float16' | 'int32' | 'int8' | 'uint8'} DType */
/** @typedef {Float32Array | Int32Array | Int8Array | Uint8Array | Uint16Array} TypedArray */
/**
 * @typedef {Float32ArrayConstructor | Int32ArrayConstructor | Int8ArrayConstructor |
 *   Uint8ArrayConstructor | Uint16ArrayConstructor} TypedArrayConstructor
 */
/** @type {Readonly<Record<DType, TypedArrayConstructor>>} */
export const STORAGE: Readonly<Record<DType, TypedArrayConstructor>>;
/** The dtypes, in op-set order. */
export const DTYPES: readonly DType[];
export type DType = "float32" | "float16" | "int32" | "int8" | "uint8";
export type TypedArray = Float32Array | Int32Array | Int8Array | Uint8Array | Uint16Array;
export type TypedArrayConstructor = Float32ArrayConstructor | Int32ArrayConstructor | Int8ArrayConstructor | Uint8ArrayConstructor | Uint16ArrayConstructor;
