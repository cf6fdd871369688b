/**
 * The errors a program throws when it cannot run a case on the device.
 * @module
 */
import { WebgradError } from '../../../errors.js';

/**
 * `EGPU_LIMIT`: the case exceeds a device limit (the message names the op and the limit).
 * @param {string} op
 * @param {string} message
 */
export function gpuLimit(op, message) {
  return new WebgradError('EGPU_LIMIT', `${op} on webgpu: ${message}`);
}

/**
 * `EARG`: arguments a program cannot handle (the message names the op and the reason).
 * @param {string} op
 * @param {string} message
 */
export function badArg(op, message) {
  return new WebgradError('EARG', `${op} on webgpu: ${message}`);
}
