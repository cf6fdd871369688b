/**
 * Secure aggregation in the npm package: the client's state machine and the round config, the same
 * protocol and JSON messages as Python's `webgrad.federated.secagg` (docs/secure_aggregation.md).
 * @module
 */

export { SecAggClient } from './client.js';
export { roundConfig } from './config.js';
export { secaggError } from './errors.js';
