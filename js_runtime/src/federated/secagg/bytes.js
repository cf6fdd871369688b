/**
 * Bytes in JSON messages: standard base64 with padding (the same text as Python's `base64`, through
 * the package's own encoder and decoder), and small byte-array helpers.
 * @module
 */

import { base64, base64Bytes } from '../../loader/encoded.js';
import { secaggError } from './errors.js';

/** Standard padded base64 of bytes (the package's one encoder). */
export const toBase64 = base64;

/**
 * Strict base64 decoding; anything else throws `ESECAGG` (`EMALFORMED`) naming `what`.
 * @param {unknown} text
 * @param {string} what
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function fromBase64(text, what) {
  try {
    if (typeof text !== 'string') throw new TypeError('not a string');
    return base64Bytes(text);
  } catch (err) {
    throw secaggError('EMALFORMED', `${what}: expected a base64 string`, { cause: err });
  }
}

/**
 * @param {...Uint8Array} parts
 * @returns {Uint8Array}
 */
export function concatBytes(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * @param {Uint8Array} a
 * @param {Uint8Array} b
 */
export function equalBytes(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** @param {string} text */
export const utf8 = (text) => new TextEncoder().encode(text);
