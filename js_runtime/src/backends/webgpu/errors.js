/**
 * The webgpu backend's error codes beyond the shared ones: `EGPU_LIMIT` (a binding, buffer or dispatch
 * over a device limit, naming the tensor) and `EGPU_LOST` (the device was lost). Made here so that the
 * codes are spelled once.
 * @module
 */

import { WebgradError } from '../../errors.js';

/**
 * @param {'EGPU_LIMIT' | 'EGPU_LOST'} code
 * @param {string} message
 * @param {{cause?: unknown}} [options]
 * @returns {WebgradError}
 */
export function gpuError(code, message, options) {
  return new WebgradError(code, message, options);
}
