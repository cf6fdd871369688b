/**
 * The errors of secure aggregation: a `WebgradError` with code `ESECAGG` whose `kind` says which
 * failure, in the terms of the federated protocol (the same kinds as Python's `SecAggError.code`):
 * `EMALFORMED` (bad fields, base64, key size, a share ciphertext that does not authenticate),
 * `ESHAPE` (an update of the wrong length), `EROUND` (a message of another round), `EDUPLICATE`
 * (a step done twice), `EAUTH` (not a participant), `ESTATE` (a step out of order, fewer clients than
 * the threshold, a request the client refuses).
 * @module
 */

import { WebgradError } from '../../errors.js';

/** @typedef {'EMALFORMED' | 'ESHAPE' | 'EROUND' | 'EDUPLICATE' | 'EAUTH' | 'ESTATE'} SecAggErrorKind */

/**
 * @param {SecAggErrorKind} kind which failure
 * @param {string} message what went wrong
 * @param {{cause?: unknown}} [options]
 * @returns {WebgradError & {kind: SecAggErrorKind}}
 */
export function secaggError(kind, message, options) {
  return Object.assign(new WebgradError('ESECAGG', `secure aggregation: ${message}`, options), { kind });
}
