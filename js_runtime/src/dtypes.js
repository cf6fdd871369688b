/**
 * The five dtypes of the op set and their storage: float32, int32, int8 and uint8 as the matching
 * typed arrays, float16 as raw IEEE half bits in a Uint16Array. Also float16 <-> float32 conversion.
 * @module
 */

import { WebgradError } from './errors.js';

/** @typedef {'float32' | 'float16' | 'int32' | 'int8' | 'uint8'} DType */
/** @typedef {Float32Array | Int32Array | Int8Array | Uint8Array | Uint16Array} TypedArray */
/**
 * @typedef {Float32ArrayConstructor | Int32ArrayConstructor | Int8ArrayConstructor |
 *   Uint8ArrayConstructor | Uint16ArrayConstructor} TypedArrayConstructor
 */

/** @type {Readonly<Record<DType, TypedArrayConstructor>>} */
export const STORAGE = Object.freeze({
  float32: Float32Array,
  float16: Uint16Array,
  int32: Int32Array,
  int8: Int8Array,
  uint8: Uint8Array,
});

/** The dtypes, in op-set order. */
export const DTYPES = /** @type {readonly DType[]} */ (Object.freeze(Object.keys(STORAGE)));

/**
 * Whether `name` is one of the five dtypes.
 * @param {unknown} name
 * @returns {name is DType}
 */
export function isDType(name) {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(STORAGE, name);
}

/**
 * Bytes per element of `dtype`.
 * @param {DType} dtype
 */
export function itemSize(dtype) {
  return STORAGE[dtype].BYTES_PER_ELEMENT;
}

/**
 * The dtype a typed array holds (a Uint16Array is taken as float16 bits); undefined for others.
 * @param {unknown} data
 * @returns {DType | undefined}
 */
export function dtypeOf(data) {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Uint16Array) return 'float16';
  return undefined;
}

/**
 * A view of `length` elements of `dtype` on `buffer` at `byteOffset`.
 * @param {DType} dtype
 * @param {ArrayBuffer} buffer
 * @param {number} byteOffset
 * @param {number} length
 * @returns {TypedArray}
 */
export function viewOf(dtype, buffer, byteOffset, length) {
  return new STORAGE[dtype](buffer, byteOffset, length);
}

/**
 * A new zeroed array of `length` elements of `dtype`.
 * @param {DType} dtype
 * @param {number} length
 * @returns {TypedArray}
 */
export function allocate(dtype, length) {
  return new STORAGE[dtype](length);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The float value of IEEE half bits `h` (exact).
 * @param {number} h
 */
export function halfToFloat(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * The IEEE half bits nearest to float32(`v`) (round half to even; overflow gives ±Inf, NaN stays NaN).
 * @param {number} v
 */
export function floatToHalf(v) {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 112; // rebias 127 -> 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: ±0
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++; // a carry into the exponent gives Inf, as it should
  return sign | half;
}

/**
 * Checks that `value` is a dtype name, else throws EDTYPE naming `what`.
 * @param {unknown} value
 * @param {string} what
 * @returns {DType}
 */
export function checkDType(value, what) {
  if (!isDType(value)) {
    throw new WebgradError(
      'EDTYPE',
      `${what}: unknown dtype ${JSON.stringify(value)}; expected one of ${DTYPES.join(', ')}`,
    );
  }
  return value;
}
