/**
 * `EGPU_LIMIT`: the case exceeds a device limit (the message names the op and the limit).
 * @param {string} op
 * @param {string} message
 */
export function gpuLimit(op: string, message: string): WebgradError;
/**
 * `EARG`: arguments a program cannot handle (the message names the op and the reason).
 * @param {string} op
 * @param {string} message
 */
export function badArg(op: string, message: string): WebgradError;
import { WebgradError } from '../../../errors.js';
