/**
 * Fixed-point encoding of an update into 32-bit words, exactly as Python's
 * `webgrad.federated.secagg.encoding`: `v = clip(weight * update, -R, R)` in float64, the word
 * `floor(v * 2^f + 0.5) mod 2^32` (round half up), then one word carrying the integer weight.
 * @module
 */

/**
 * @param {Float32Array} update
 * @param {number} weight an integer example count (checked by the caller)
 * @param {{clipRange: number, fracBits: number}} config
 * @returns {{words: Uint32Array, clipped: number}} the words and how many coordinates the clip changed
 */
export function encodeUpdate(update, weight, config) {
  const { clipRange, fracBits } = config;
  const scale = 2 ** fracBits;
  const words = new Uint32Array(update.length + 1);
  let clipped = 0;
  for (let i = 0; i < update.length; i++) {
    let v = update[i] * weight;
    if (Math.abs(v) > clipRange) {
      clipped++;
      v = Math.min(Math.max(v, -clipRange), clipRange);
    }
    words[i] = Math.floor(v * scale + 0.5) >>> 0; // ToUint32 is the value mod 2^32
  }
  words[update.length] = weight;
  return { words, clipped };
}

/**
 * `a + sign * b mod 2^32`, in place in `a`.
 * @param {Uint32Array} a
 * @param {Uint32Array} b
 * @param {1 | -1} sign
 */
export function addInPlace(a, b, sign) {
  for (let i = 0; i < a.length; i++) a[i] = (a[i] + sign * b[i]) >>> 0;
  return a;
}
