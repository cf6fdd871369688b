/**
 * Shamir t-of-n secret sharing over GF(2^521 - 1) with BigInt: the same shares as Python's
 * `webgrad.federated.secagg.shamir` for the same coefficients. A client only splits (the server
 * reconstructs), but `combine` is here too, for tests and for a JS server.
 * @module
 */

import { secaggError } from './errors.js';

export const PRIME = (1n << 521n) - 1n;
export const ELEMENT_BYTES = 66; // ceil(521 / 8): a field element as fixed-width big-endian bytes

/** @param {bigint} a */
const mod = (a) => ((a % PRIME) + PRIME) % PRIME;

/** A uniform random field element (rejection sampling of 521-bit numbers). */
function randomElement() {
  for (;;) {
    const bytes = globalThis.crypto.getRandomValues(new Uint8Array(ELEMENT_BYTES));
    bytes[0] &= 0x01; // 521 = 65 * 8 + 1 bits
    const v = fromBytes(bytes);
    if (v < PRIME) return v;
  }
}

/**
 * Shares of `secret` at the points `xs`: a random polynomial of degree `threshold - 1` with the
 * secret as constant term. `coefficients` (the `threshold - 1` higher ones) are random unless given.
 * @param {bigint} secret
 * @param {number} threshold
 * @param {number[]} xs distinct, non-zero
 * @param {bigint[]} [coefficients]
 * @returns {bigint[]}
 */
export function split(secret, threshold, xs, coefficients) {
  const coeffs = coefficients ?? Array.from({ length: threshold - 1 }, randomElement);
  if (coeffs.length !== threshold - 1) {
    throw secaggError('EMALFORMED', `split: expected ${threshold - 1} coefficients for threshold ${threshold}`);
  }
  const poly = [secret, ...coeffs];
  return xs.map((x) => {
    let acc = 0n;
    for (let k = poly.length - 1; k >= 0; k--) acc = mod(acc * BigInt(x) + poly[k]);
    return acc;
  });
}

/**
 * Modular inverse by Fermat's little theorem (PRIME is prime).
 * @param {bigint} a
 */
function inverse(a) {
  let result = 1n;
  let base = mod(a);
  let e = PRIME - 2n;
  while (e > 0n) {
    if (e & 1n) result = (result * base) % PRIME;
    base = (base * base) % PRIME;
    e >>= 1n;
  }
  return result;
}

/**
 * The secret from at least `threshold` shares `[x, y]` (Lagrange at 0 over the first `threshold`).
 * @param {Array<[number, bigint]>} points
 * @param {number} threshold
 * @param {string} what
 */
export function combine(points, threshold, what) {
  if (points.length < threshold) {
    throw secaggError('ESTATE', `${what}: ${points.length} shares, fewer than the threshold ${threshold}`);
  }
  const pts = points.slice(0, threshold).map(([x, y]) => [BigInt(x), y]);
  let secret = 0n;
  for (const [i, [xi, yi]] of pts.entries()) {
    let num = 1n;
    let den = 1n;
    for (const [j, [xj]] of pts.entries()) {
      if (i === j) continue;
      num = mod(num * -xj);
      den = mod(den * (xi - xj));
    }
    secret = mod(secret + yi * num * inverse(den));
  }
  return secret;
}

/**
 * A field element (or any non-negative integer below 2^(8 * length)) as big-endian bytes.
 * @param {bigint} value
 * @param {number} [length]
 */
export function toBytes(value, length = ELEMENT_BYTES) {
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/**
 * The integer of big-endian bytes.
 * @param {Uint8Array} bytes
 */
export function fromBytes(bytes) {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}
