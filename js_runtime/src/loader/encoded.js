/**
 * Encoded tensors of model.json (the self-test): `{name, dtype, shape, data}` with data the base64 of
 * the little-endian bytes.
 * @module
 */

import { WebgradError } from '../errors.js';
import { STORAGE, itemSize } from '../dtypes.js';
import { sizeOf } from '../shapes.js';

/** @typedef {import('./manifest.js').EncodedTensorJson} EncodedTensorJson */

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The bytes of a (padded) base64 string, in an ArrayBuffer of their own; throws on anything else.
 * The engine's decoder where there is one (`Uint8Array.fromBase64`; Node's Buffer): `atob` and a loop
 * over its characters take ~0.5 ms per 6 KB at load time, before V8 has optimized anything.
 * @param {string} text
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function base64Bytes(text) {
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw new SyntaxError('not padded base64');
  const native = /** @type {{fromBase64?: (s: string) => Uint8Array<ArrayBuffer>}} */ (
    /** @type {unknown} */ (Uint8Array)
  ).fromBase64;
  if (typeof native === 'function') return native(text);
  const NodeBuffer = /** @type {{Buffer?: {from(s: string, e: string): Uint8Array}}} */ (globalThis).Buffer;
  if (NodeBuffer) return new Uint8Array(NodeBuffer.from(text, 'base64')); // copied: Buffer shares a pool
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Standard padded base64 of bytes (browsers and Node): the one encoder of the package. @param {Uint8Array} u8 */
export function base64(u8) {
  let s = '';
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * The typed array of an encoded tensor, checking its size; `what` names it in errors.
 * @param {EncodedTensorJson} t
 * @param {string} what
 * @returns {import('../dtypes.js').TypedArray}
 */
export function decodeEncoded(t, what) {
  let bytes;
  try {
    bytes = base64Bytes(t.data);
  } catch (e) {
    throw new WebgradError('ESCHEMA', `${what}: data is not base64`, { cause: e });
  }
  const need = sizeOf(t.shape) * itemSize(t.dtype);
  if (bytes.byteLength !== need) {
    throw new WebgradError(
      'ESCHEMA',
      `${what}: data has ${bytes.byteLength} bytes, shape [${t.shape.join(', ')}] of ${t.dtype} needs ${need}`,
    );
  }
  return new STORAGE[t.dtype](bytes.buffer, 0, sizeOf(t.shape));
}
