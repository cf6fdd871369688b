/**
 * The secure-aggregation side of a round (`docs/secure_aggregation.md`), loaded only for a task whose
 * `secagg` is set. Waits for the JS state machine of `./secagg/` (not in this build yet).
 * @module
 */

import { WebgradError } from '../errors.js';

/**
 * @param {import('./protocol.js').Protocol} proto
 * @param {{clientId: string, taskId: string, round: number, config: object, update: Float32Array, weight: number}} round
 * @returns {Promise<{encoding: 'secagg', update: string, after?: () => Promise<void>}>}
 */
export async function secaggRound(proto, round) {
  void proto;
  throw new WebgradError(
    'EFEDERATED',
    `round ${round.round}: the server asks for secure aggregation, which this client build does not support yet`,
  );
}
