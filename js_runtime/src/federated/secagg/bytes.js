/**
 * Bytes in JSON messages: standard base64 with padding (the same text as Python's `base64`), with no
 * dependency on Node's `Buffer`, so the code runs in browsers too.
 * @module
 */

import { secaggError } from './errors.js';

const CHUNK = 0x8000;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function toBase64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

/**
 * Strict base64 decoding; anything else throws `ESECAGG` (`EMALFORMED`) naming `what`.
 * @param {unknown} text
 * @param {string} what
 * @returns {Uint8Array}
 */
export function fromBase64(text, what) {
  if (typeof text !== 'string' || !BASE64.test(text)) {
    throw secaggError('EMALFORMED', `${what}: expected a base64 string`);
  }
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
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
