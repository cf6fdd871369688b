/**
 * Writes a shader's `Params` uniform struct in WGSL layout from `[type, value]` pairs, in the order the
 * struct declares its members: 4-byte scalars packed, `vec4`s aligned to 16 bytes, the total padded to
 * 16 (a uniform struct's alignment).
 * @module
 */
/** @typedef {['u32' | 'i32' | 'f32', number] | ['vec4u' | 'vec4i', readonly number[]]} Field */
/**
 * @param {readonly Field[]} fields
 * @returns {ArrayBuffer}
 */
export function packUniforms(fields: readonly Field[]): ArrayBuffer;
/**
 * A rank-8 vector (shape, strides) as the two `vec4<u32>` the shaders read through `at8`.
 * @param {readonly number[]} v at most 8 entries; the rest are 0
 * @returns {Field[]}
 */
export function vec8u(v: readonly number[]): Field[];
export type Field = ["u32" | "i32" | "f32", number] | ["vec4u" | "vec4i", readonly number[]];
