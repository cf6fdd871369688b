/**
 * @param {'EGPU_LIMIT' | 'EGPU_LOST'} code
 * @param {string} message
 * @param {{cause?: unknown}} [options]
 * @returns {WebgradError}
 */
export function gpuError(code: "EGPU_LIMIT" | "EGPU_LOST", message: string, options?: {
    cause?: unknown;
}): WebgradError;
import { WebgradError } from '../../errors.js';
