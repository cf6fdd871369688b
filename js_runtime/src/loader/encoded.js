/**
 * Encoded tensors of model.json (the self-test): `{name, dtype, shape, data}` with data the base64 of
 * the little-endian bytes.
 * @module
 */

import { WebgradError } from '../errors.js';
import { STORAGE, itemSize } from '../dtypes.js';
import { sizeOf } from '../shapes.js';

/** @typedef {import('./manifest.js').EncodedTensorJson} EncodedTensorJson */

/**
 * The bytes of a base64 string.
 * @param {string} text
 */
export function base64Bytes(text) {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
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
    throw new WebgradError('ESCHEMA', `${what}: data has ${bytes.byteLength} bytes, shape [${t.shape.join(', ')}] of ${t.dtype} needs ${need}`);
  }
  return new STORAGE[t.dtype](bytes.buffer, 0, sizeOf(t.shape));
}
