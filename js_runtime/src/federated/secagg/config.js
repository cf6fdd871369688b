/**
 * The round configuration of secure aggregation, exactly as Python's `round_config` makes it (the
 * server makes it and sends it in the task's `secagg` field; a client checks it with `checkConfig`).
 * @module
 */

import { WebgradError } from '../../errors.js';
import { PROTOCOL } from './crypto.js';
import { secaggError } from './errors.js';

const SIGNED_MAX = 2 ** 31 - 1;
const MAX_FRAC_BITS = 52;
const ID = /^[!-{}~]+$/; // printable ASCII but space and '|' (which separates the fields of key derivations)

/**
 * @typedef {object} RoundConfig
 * @property {string} protocol 'webgrad-secagg/1'
 * @property {number} round
 * @property {string[]} clientIds the participants, sorted
 * @property {number} length the update vector's length (the masked vector has one more word: the weight)
 * @property {number} clipRange R: each coordinate of weight * update is clipped to [-R, R]
 * @property {number} threshold t: how many clients must stay to the end (more than half)
 * @property {number} fracBits f: fixed-point fraction bits
 * @property {number} maxWeight the largest weight (example count) a client may send
 */

/**
 * The largest f (at most 52) such that `clients` words of magnitude `floor(R * 2^f + 0.5)` sum within
 * the signed 32-bit range.
 * @param {number} clients
 * @param {number} clipRange
 */
export function fracBitsFor(clients, clipRange) {
  let f = Math.min(MAX_FRAC_BITS, Math.floor(Math.log2(SIGNED_MAX / clients / clipRange)) + 1);
  while (f >= 0 && clients * Math.floor(clipRange * 2 ** f + 0.5) > SIGNED_MAX) f--;
  if (f < 0) {
    throw new WebgradError(
      'EARG',
      `clipRange: ${clipRange} is too large for ${clients} clients in 32-bit fixed point (need clients * clipRange < 2^31)`,
    );
  }
  return f;
}

/**
 * The secure-aggregation config of one round (see Python's `round_config`).
 * @param {number} round
 * @param {string[]} clientIds
 * @param {number} length
 * @param {number} clipRange
 * @param {number} [threshold] default `floor(n / 2) + 1`; must exceed n / 2
 * @returns {RoundConfig}
 */
export function roundConfig(round, clientIds, length, clipRange, threshold) {
  const bad = (/** @type {string} */ msg) => new WebgradError('EARG', msg);
  if (!Number.isInteger(round) || round < 0) throw bad(`round: expected a non-negative integer, got ${round}`);
  const ids = clientIds.map(String);
  if (ids.length < 2 || new Set(ids).size !== ids.length) {
    throw bad(`clientIds: expected at least 2 distinct ids, got ${JSON.stringify(ids)}`);
  }
  if (!ids.every((c) => ID.test(c))) {
    throw bad(`clientIds: ids must be printable ASCII without spaces or '|', got ${JSON.stringify(ids)}`);
  }
  if (!Number.isInteger(length) || length < 1) throw bad(`length: expected a positive integer, got ${length}`);
  if (typeof clipRange !== 'number' || !Number.isFinite(clipRange) || clipRange <= 0) {
    throw bad(`clipRange: expected a positive finite number, got ${clipRange}`);
  }
  const n = ids.length;
  const t = threshold ?? Math.floor(n / 2) + 1;
  if (!Number.isInteger(t) || !(t > n / 2 && t <= n)) {
    throw bad(`threshold: expected an integer in (${n / 2}, ${n}] for ${n} clients, got ${threshold}`);
  }
  return {
    protocol: PROTOCOL,
    round,
    clientIds: [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    length,
    clipRange,
    threshold: t,
    fracBits: fracBitsFor(n, clipRange),
    maxWeight: Math.floor((2 ** 32 - 1) / n),
  };
}

/**
 * `config` if it is what {@link roundConfig} makes; else `ESECAGG` (`EMALFORMED`).
 * @param {any} config
 * @returns {RoundConfig}
 */
export function checkConfig(config) {
  if (!config || typeof config !== 'object' || config.protocol !== PROTOCOL) {
    throw secaggError('EMALFORMED', `config: expected an object with protocol '${PROTOCOL}'`);
  }
  let again;
  try {
    again = roundConfig(config.round, config.clientIds, config.length, config.clipRange, config.threshold);
  } catch (err) {
    throw secaggError('EMALFORMED', `config: ${/** @type {Error} */ (err).message}`, { cause: err });
  }
  for (const [k, v] of Object.entries(again)) {
    if (JSON.stringify(v) !== JSON.stringify(config[k])) {
      throw secaggError('EMALFORMED', `config: ${k} does not match roundConfig (${JSON.stringify(config[k])})`);
    }
  }
  return again;
}
