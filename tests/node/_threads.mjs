// Helpers of the threads tests (threads*.test.mjs).

import { workerCounts } from '../../js_runtime/src/backends/wasm/threads/pool.js';

/** Until `cond()` holds, polling every 5 ms; throws after `ms`. */
export async function until(cond, ms = 20000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting for the workers');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Until exactly `n` workers live and run: those of one pool of n + 1 threads, the earlier ones gone. */
export const onlyWorkers = (n) => until(() => workerCounts().live === n && workerCounts().running === n);
