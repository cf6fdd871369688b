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
export function packUniforms(fields) {
  let size = 0;
  for (const [type] of fields) size = (type.startsWith('vec4') ? align16(size) + 16 : size + 4);
  const buffer = new ArrayBuffer(Math.max(16, align16(size)));
  const view = new DataView(buffer);
  let at = 0;
  for (const [type, value] of fields) {
    if (type === 'vec4u' || type === 'vec4i') {
      at = align16(at);
      const v = /** @type {readonly number[]} */ (value);
      for (let k = 0; k < 4; k++) {
        const e = v[k] ?? 0;
        if (type === 'vec4u') view.setUint32(at + 4 * k, e, true);
        else view.setInt32(at + 4 * k, e, true);
      }
      at += 16;
    } else {
      const v = /** @type {number} */ (value);
      if (type === 'u32') view.setUint32(at, v, true);
      else if (type === 'i32') view.setInt32(at, v, true);
      else view.setFloat32(at, v, true);
      at += 4;
    }
  }
  return buffer;
}

/**
 * A rank-8 vector (shape, strides) as the two `vec4<u32>` the shaders read through `at8`.
 * @param {readonly number[]} v at most 8 entries; the rest are 0
 * @returns {Field[]}
 */
export function vec8u(v) {
  if (v.length > 8) throw new RangeError(`vec8u: at most 8 entries, got ${v.length}`);
  return [['vec4u', v.slice(0, 4)], ['vec4u', v.slice(4, 8)]];
}

/** @param {number} n */
function align16(n) {
  return Math.ceil(n / 16) * 16;
}
