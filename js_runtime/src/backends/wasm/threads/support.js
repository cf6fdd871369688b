/**
 * How many threads the wasm backend runs with, and why not more: the `threads` option checked, the
 * cores counted, and the engine probed for what a worker pool needs (SharedArrayBuffer, a shared
 * WebAssembly.Memory, workers). Small and free of the pool itself, which a page only downloads
 * (dynamic `import()`) when it runs more than one thread.
 * @module
 */

import { AUTO_THREADS_CAP, checkThreads } from '../../../threads.js';
import { THREADED_WASM_FILES, WASM_FILES, compileVariant } from '../module.js';

/**
 * @typedef {object} ThreadPlan
 * @property {number} count threads to run with (1: the single-threaded build, no workers)
 * @property {string} reason why that many, for `model.backendReason`
 */

const isNode = () => typeof process === 'object' && typeof process.versions?.node === 'string';

/**
 * Why this engine cannot run the threaded build, or null when it can.
 * @returns {string | null}
 */
export function threadsUnsupported() {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    return /** @type {any} */ (globalThis).crossOriginIsolated === false
      ? 'not cross-origin isolated: SharedArrayBuffer unavailable; see COOP/COEP'
      : 'SharedArrayBuffer unavailable in this engine';
  }
  try {
    const m = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    if (!(m.buffer instanceof SharedArrayBuffer)) return 'this engine has no shared WebAssembly memory';
  } catch {
    return 'this engine has no shared WebAssembly memory';
  }
  if (!isNode() && typeof Worker !== 'function') return 'no Web Workers in this context';
  return null;
}

/**
 * The cores this process or page may use: `os.availableParallelism()` in Node.js,
 * `navigator.hardwareConcurrency` in browsers (1 when unknown).
 * @returns {Promise<number>}
 */
async function cores() {
  if (isNode()) {
    const os = await import('node:os');
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  const n = /** @type {any} */ (globalThis).navigator?.hardwareConcurrency;
  return typeof n === 'number' && n >= 1 ? Math.floor(n) : 1;
}

/**
 * How many threads to run with for the `threads` option (EARG unless 'auto', undefined or 1 to 16).
 * 'auto' takes the cores, capped at {@link AUTO_THREADS_CAP}; a number is taken as asked (more threads
 * than cores is allowed: the results are the same bits, only slower). Either falls back to 1, with the
 * reason, where the engine cannot share memory between threads.
 * @param {unknown} threads
 * @returns {Promise<ThreadPlan>}
 */
export async function planThreads(threads) {
  const t = checkThreads(threads);
  if (t === 1) return { count: 1, reason: '1 thread (threads: 1)' };
  const why = threadsUnsupported();
  if (why) return { count: 1, reason: `1 thread: ${why}` };
  if (t !== 'auto') return { count: t, reason: `${t} threads (threads: ${t})` };
  const n = await cores();
  if (n <= 1) return { count: 1, reason: "1 thread (threads: 'auto'): 1 core" };
  const count = Math.min(n, AUTO_THREADS_CAP);
  return {
    count,
    reason: `${count} threads (threads: 'auto': ${n} cores${n > AUTO_THREADS_CAP ? `, capped at ${AUTO_THREADS_CAP}` : ''})`,
  };
}

/**
 * @typedef {object} KernelInstance
 * @property {WebAssembly.Instance} instance the calling thread's instance
 * @property {WebAssembly.Memory} memory its linear memory (shared when threaded)
 * @property {string} file the .wasm it runs
 * @property {number} threads threads in use (1: no workers)
 * @property {string} reason why that many
 * @property {(ex: Record<string, (...args: number[]) => number>) => Record<string, (...args: number[]) => number>} wrap
 *   the exports the kernels' glue should call (the splittable ones through the pool when threaded)
 * @property {() => void} dispose ends the workers
 */

/**
 * An instance of the kernels for `plan`: the threaded build with its worker pool when `plan.count > 1`
 * (falling back to one thread, with the reason, if it cannot start), else the single-threaded build.
 * @param {import('../module.js').WasmVariant} variant
 * @param {ThreadPlan} plan
 * @returns {Promise<KernelInstance>}
 */
export async function instantiateKernels(variant, plan) {
  let reason = plan.reason;
  if (plan.count > 1) {
    try {
      const [{ startThreads }, { threadedExports }, module] = await Promise.all([
        import('./pool.js'),
        import('./split.js'),
        compileVariant(variant, true),
      ]);
      const { instance, memory, pool } = await startThreads(module, plan.count);
      return {
        instance,
        memory,
        file: THREADED_WASM_FILES[variant],
        threads: plan.count,
        reason,
        wrap: (ex) => threadedExports(ex, pool),
        dispose: () => pool.dispose(),
      };
    } catch (e) {
      reason = `1 thread: the threaded build could not start (${/** @type {Error} */ (e).message})`;
    }
  }
  const instance = await WebAssembly.instantiate(await compileVariant(variant), {});
  return {
    instance,
    memory: /** @type {WebAssembly.Memory} */ (/** @type {unknown} */ (instance.exports.memory)),
    file: WASM_FILES[variant],
    threads: 1,
    reason,
    wrap: (ex) => ex,
    dispose: () => {},
  };
}

/**
 * Starts fetching and compiling what {@link instantiateKernels} will need for the `threads` option
 * (never throws: instantiateKernels reports failures).
 * @param {import('../module.js').WasmVariant} variant
 * @param {unknown} threads
 */
export function preloadKernels(variant, threads) {
  if (threads !== 1 && threadsUnsupported() === null) {
    compileVariant(variant, true).catch(() => {});
    import('./pool.js').catch(() => {});
    import('./split.js').catch(() => {});
  } else compileVariant(variant).catch(() => {});
}
