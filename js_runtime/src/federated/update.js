/**
 * A client's update vector (`docs/federated_protocol.md`): trained minus global trainable weights, each
 * tensor flattened row-major, concatenated in the order of the bundle's `training.trainable` list,
 * float32; its L2 norm, clipping to the server's `clipNorm`, and the float32 little-endian base64 of the
 * wire.
 * @module
 */

import { WebgradError } from '../errors.js';
import { base64 } from '../loader/encoded.js';

/**
 * Copies of the named weights (the global weights of a round: the proximal term's center, and what the
 * update is taken against).
 * @param {Record<string, Float32Array>} all every weight, by name (`model.getWeights()`)
 * @param {readonly string[]} order the bundle's `training.trainable`
 * @returns {Record<string, Float32Array>}
 */
export function pick(all, order) {
  /** @type {Record<string, Float32Array>} */
  const out = {};
  for (const name of order) {
    const w = all[name];
    if (!w) throw new WebgradError('ETENSOR', `federated update: the model has no trainable weight '${name}'`);
    out[name] = w;
  }
  return out;
}

/**
 * trained − global, flattened in `order`, float32 (each difference one float32 subtraction).
 * @param {Record<string, Float32Array>} trained @param {Record<string, Float32Array>} global
 * @param {readonly string[]} order
 * @returns {Float32Array}
 */
export function updateVector(trained, global, order) {
  const n = order.reduce((s, name) => s + global[name].length, 0);
  const out = new Float32Array(n);
  let at = 0;
  for (const name of order) {
    const t = trained[name];
    const g = global[name];
    if (!t || t.length !== g.length)
      throw new WebgradError('ESHAPE', `federated update: weight '${name}' changed size during training`);
    for (let i = 0; i < g.length; i++) out[at + i] = t[i] - g[i];
    at += g.length;
  }
  return out;
}

/**
 * The L2 norm of a vector (accumulated in float64).
 * @param {Float32Array} v
 */
export function l2Norm(v) {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/**
 * Scales `v` in place to an L2 norm of at most `clipNorm` (DP-FedAvg's client clipping: `v * min(1,
 * clipNorm / ||v||)`), leaving it a little under the bound so that float32 rounding never carries it over.
 * @param {Float32Array} v @param {number} clipNorm
 * @returns {{norm: number, clipped: boolean}} the norm before clipping, and whether it was scaled
 */
export function clipInPlace(v, clipNorm) {
  if (!(typeof clipNorm === 'number' && clipNorm > 0 && Number.isFinite(clipNorm)))
    throw new WebgradError('EARG', `federated task: clipNorm must be a finite number > 0, got ${String(clipNorm)}`);
  const norm = l2Norm(v);
  if (norm <= clipNorm) return { norm, clipped: false };
  const scale = (clipNorm / norm) * (1 - 1e-7);
  for (let i = 0; i < v.length; i++) v[i] *= scale;
  return { norm, clipped: true };
}

/**
 * Base64 of the float32 little-endian bytes of `v` (the wire format of `"encoding": "float32"`), with the
 * package's one encoder (the loader's, in the main chunk).
 * @param {Float32Array} v
 * @returns {Promise<string>}
 */
export async function encodeFloat32(v) {
  const bytes = new Uint8Array(v.byteLength);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < v.length; i++) view.setFloat32(i * 4, v[i], true);
  return base64(bytes);
}

/**
 * The first NaN or Inf of `v` as an ENONFINITE error, or null (a diverged client reports it instead of
 * sending an update the server would refuse).
 * @param {Float32Array} v
 */
export function nonFinite(v) {
  for (let i = 0; i < v.length; i++)
    if (!Number.isFinite(v[i]))
      return new WebgradError('ENONFINITE', `federated update: value ${i} is ${v[i]}; not sent`);
  return null;
}
