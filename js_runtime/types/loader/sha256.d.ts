/**
 * SHA-256 of a shard as lower-case hex, with WebCrypto (`globalThis.crypto.subtle`). Pages served over
 * plain HTTP have no `crypto.subtle`; there a small pure-JS implementation (FIPS 180-4) is used.
 * @module
 */
/**
 * @param {Uint8Array} bytes
 * @returns {Promise<string>}
 */
export function sha256Hex(bytes: Uint8Array): Promise<string>;
/**
 * SHA-256 in plain JS (the fallback; exported for tests).
 * @param {Uint8Array} bytes
 * @returns {Uint8Array}
 */
export function sha256Js(bytes: Uint8Array): Uint8Array;
