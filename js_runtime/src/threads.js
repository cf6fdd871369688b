/**
 * The `threads` option of `loadModel` (checked at load, whatever the backend) and its limits; the wasm
 * backend runs its kernels on that many threads (backends/wasm/threads/, docs/threads.md).
 * @module
 */

import { WebgradError } from './errors.js';

/** `threads: 'auto'` uses up to this many threads (the cores the engine reports, capped here). */
export const AUTO_THREADS_CAP = 4;
/** The most threads a number may ask for. */
export const MAX_THREADS = 16;

/**
 * The `threads` option as given: 'auto' (also for undefined) or a whole number from 1 to
 * {@link MAX_THREADS}; EARG else.
 * @param {unknown} threads
 * @returns {'auto' | number}
 */
export function checkThreads(threads) {
  if (threads === undefined || threads === 'auto') return 'auto';
  if (typeof threads === 'number' && Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)
    return threads;
  const got = typeof threads === 'string' ? JSON.stringify(threads) : String(threads);
  throw new WebgradError('EARG', `threads must be 'auto' or a whole number from 1 to ${MAX_THREADS}, got ${got}`);
}
