/**
 * The wasm backend's worker pool: the threaded kernels (`webgrad-*-threads.wasm`) instantiated once on
 * the calling thread and once per worker, all on one shared linear memory, started once per backend
 * and reused for every call.
 *
 * A dispatch writes job records into the control block (layout.js), publishes them with one store
 * of the state word and wakes sleeping workers; every thread, the calling one included, claims jobs
 * by compare-exchange until none is left; the caller then waits for the done counter: by
 * `Atomics.wait` where it may block (Node.js, a worker), by spinning on `Atomics.load` on a browser's
 * main thread (where `Atomics.wait` throws). Workers that are still starting simply claim nothing:
 * the caller runs every job itself meanwhile, with the same results.
 *
 * Memory: the caller reserves, for each worker, a stack, a thread-local block and a scratch region
 * (its kernels' bump allocator, which never grows the memory); a job whose scratch does not fit
 * returns WG_ERR_OOM and is run again by the caller, whose allocator may grow the memory.
 * @module
 */

import { WebgradError } from '../../../errors.js';
import {
  CONTROL_BYTES,
  DONE,
  HEADER_BYTES,
  JOB_ARGC,
  JOB_ARGS_BYTE,
  JOB_BYTES,
  JOB_FN,
  JOB_PART,
  JOB_PARTS,
  JOB_RC,
  LAYOUT,
  MAX_ARGS,
  MAX_JOBS,
  QUIT,
  RUNNING,
  SLEEPERS,
  SLOT_BYTES,
  STATE,
} from './layout.js';

/** Initial and maximum bytes of the shared memory: wasm_kernels/build.py links the threaded builds so. */
export const THREADED_MEMORY = Object.freeze({ initialBytes: 2 * 1024 * 1024, maximumBytes: 2 * 1024 * 1024 * 1024 });
const PAGE = 65536;
/** A worker's stack (the builds' `-z stack-size`). */
const STACK_BYTES = 65536;
/** A worker's scratch: GEMM A blocks (48K floats), B packed per call, quantized weights decoded per call;
 * pages a worker never touches cost address space only. Bigger needs rerun on the caller. */
const SCRATCH_BYTES = 4 * 1024 * 1024;
/** Loads of the done counter before the caller blocks (where it may) while workers finish. */
const SPIN = 4000;

/** @typedef {(...args: number[]) => number} WasmFn */

const isNode = () => typeof process === 'object' && typeof process.versions?.node === 'string';
/** Whether this thread may block in `Atomics.wait` (not a browser's main thread). */
const canBlock = () => isNode() || typeof (/** @type {any} */ (globalThis).document) === 'undefined';

/** Workers of pools whose backend was dropped without dispose(): ended when it is collected. */
/** Workers started and not yet exited, and those running (instantiated), in this process or page. */
let live = 0;
let running = 0;
/** For tests: `{live, running}` worker counts (that nothing leaks; when every worker is up). */
export const workerCounts = () => ({ live, running });
let callerClaims = true;
/**
 * For tests: whether the calling thread runs jobs too (default true). With false, every job runs on a
 * worker, so a test compares what the workers computed (wait for `workerCounts().running` first).
 * @param {boolean} on
 */
export function setCallerClaims(on) {
  callerClaims = on;
}

const orphans =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((/** @type {() => void} */ end) => end())
    : null;

/**
 * The calling thread's instance of the threaded build on a fresh shared memory, and the pool of
 * `count - 1` workers on it (started, not awaited).
 * @param {WebAssembly.Module} module a threaded build
 * @param {number} count threads in all, the caller included
 * @returns {Promise<{instance: WebAssembly.Instance, memory: WebAssembly.Memory, pool: Pool}>}
 */
export async function startThreads(module, count) {
  const memory = new WebAssembly.Memory({
    initial: THREADED_MEMORY.initialBytes / PAGE,
    maximum: THREADED_MEMORY.maximumBytes / PAGE,
    shared: true,
  });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const ex = /** @type {any} */ (instance.exports);
  /** @param {number} bytes */
  const alloc = (bytes) => {
    const p = ex.wg_alloc(bytes) >>> 0;
    if (p === 0) throw new WebgradError('EBACKEND', `wasm backend: out of memory reserving ${bytes} bytes for threads`);
    return p;
  };
  const control = alloc(CONTROL_BYTES);
  new Uint8Array(memory.buffer, control, CONTROL_BYTES).fill(0);
  const tls = Math.ceil(ex.__tls_size.value / 64) * 64;
  const regions = [];
  for (let i = 1; i < count; i++) {
    const base = alloc(STACK_BYTES + tls + SCRATCH_BYTES);
    regions.push({ stackTop: base + STACK_BYTES, tls: base + STACK_BYTES, scratch: base + STACK_BYTES + tls });
  }
  // Node.js: the Worker class now, so that the workers start at once (in the constructor), not in a
  // later task that a loop of awaited predicts (microtasks only) would never reach
  const NodeWorker = isNode() ? (await import('node:worker_threads')).Worker : null;
  const pool = new Pool(module, memory, ex, control, regions, NodeWorker);
  return { instance, memory, pool };
}

/** Dispatches jobs (exports of the threaded build, each with its share) to the calling thread and the workers. */
export class Pool {
  /**
   * @param {WebAssembly.Module} module
   * @param {WebAssembly.Memory} memory
   * @param {Record<string, any>} ex the calling thread's exports
   * @param {number} control byte offset of the control block
   * @param {{stackTop: number, tls: number, scratch: number}[]} regions one per worker
   * @param {any} NodeWorker `worker_threads`' Worker in Node.js, null in browsers (Web Workers)
   */
  constructor(module, memory, ex, control, regions, NodeWorker) {
    this.threads = regions.length + 1;
    this.memory = memory;
    this.control = control;
    /** @type {string[]} the functions jobs may call, by index */
    this.names = Object.keys(ex).filter((n) => n.startsWith('wg_') && typeof ex[n] === 'function');
    /** @type {Map<string, number>} */
    this.fnIndex = new Map(this.names.map((n, i) => [n, i]));
    /** @type {WasmFn[]} */
    this.fns = this.names.map((n) => ex[n]);
    this.ex = ex;
    this.epoch = 0;
    this.disposed = false;
    /** @type {any[]} */
    const workers = [];
    this.workers = workers;
    const i32 = () => new Int32Array(memory.buffer);
    const ctl = control >> 2;
    /** ends the workers: the quit flag, a new epoch to wake them, then terminate */
    this.end = () => {
      const a = i32();
      Atomics.store(a, ctl + QUIT, 1);
      Atomics.add(a, ctl + STATE, 1 << 16);
      Atomics.notify(a, ctl + STATE);
      for (const w of workers.splice(0)) w.terminate();
    };
    orphans?.register(this, this.end, this);
    // the workers boot on their own threads; until one runs, every call runs unsplit on the caller, so
    // neither the load nor the first calls wait for them
    for (const r of regions) {
      this.#spawn(NodeWorker, {
        module,
        memory,
        names: this.names,
        control,
        layout: LAYOUT,
        stackTop: r.stackTop,
        tls: r.tls,
        scratch: r.scratch,
        end: r.scratch + SCRATCH_BYTES,
      });
    }
  }

  /** @param {any} NodeWorker @param {any} start */
  #spawn(NodeWorker, start) {
    if (NodeWorker) {
      // execArgv []: a worker inherits the process's by default, and `node --input-type=module -e ...`
      // (or other entry options) would make it fail to boot; V8 flags are process-wide anyway
      const w = new NodeWorker(new URL('./worker.js', import.meta.url), { execArgv: [] });
      live += 1;
      let up = false;
      w.on('message', (/** @type {any} */ m) => m.ready && ((up = true), (running += 1)));
      w.on('exit', () => ((live -= 1), (running -= up ? 1 : 0)));
      w.on('error', () => {}); // its jobs are claimed by the others
      w.postMessage(start);
      w.unref(); // after the listeners (adding one refs it again): a process whose model is disposed (or forgotten) exits by itself
      this.workers.push(w);
      return;
    }
    const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    w.onerror = () => {};
    live += 1;
    let up = false;
    w.onmessage = (e) => (up = Boolean(e.data?.ready)) && (running += 1);
    const terminate = w.terminate.bind(w);
    w.terminate = () => ((live -= 1), (running -= up ? 1 : 0), terminate()); // browsers send no exit event
    w.postMessage(start);
    this.workers.push(w);
  }

  /** Whether a worker is up and claiming jobs (workers start after the model loads). */
  helped() {
    return Atomics.load(this.#i32(), (this.control >> 2) + RUNNING) > 0;
  }

  /** An Int32Array over the current memory (a shared memory's buffer only changes when it grows). */
  #i32() {
    const b = this.memory.buffer;
    if (b !== this.#seen) {
      this.#seen = b;
      this.#ints = new Int32Array(b);
      this.#floats = new Float64Array(b);
    }
    return this.#ints;
  }

  /** @type {ArrayBufferLike | null} */
  #seen = null;
  #ints = new Int32Array(0);
  #floats = new Float64Array(0);

  /**
   * Byte offset of job `j`'s own params slot ({@link SLOT_BYTES} bytes).
   * @param {number} j
   */
  slot(j) {
    return this.control + HEADER_BYTES + MAX_JOBS * JOB_BYTES + j * SLOT_BYTES;
  }

  /**
   * Runs `jobs` (at most {@link MAX_JOBS}) on every thread and returns 0, or the first nonzero rc.
   * @param {{fn: string, args: number[], part?: number, parts?: number}[]} jobs
   * @returns {number}
   */
  run(jobs) {
    if (this.disposed) throw new WebgradError('EDISPOSED', 'the wasm backend was used after dispose()');
    const n = jobs.length;
    if (n > MAX_JOBS) throw new WebgradError('EBACKEND', `wasm thread pool: ${n} jobs, at most ${MAX_JOBS}`);
    const i32 = this.#i32();
    const f64 = this.#floats;
    const ctl = this.control >> 2;
    jobs.forEach((job, j) => {
      const rec = (this.control + HEADER_BYTES + j * JOB_BYTES) >> 2;
      const fn = this.fnIndex.get(job.fn);
      if (fn === undefined || job.args.length > MAX_ARGS)
        throw new WebgradError('EBACKEND', `wasm thread pool: cannot run ${job.fn}`);
      i32[rec + JOB_FN] = fn;
      i32[rec + JOB_PART] = job.part ?? 0;
      i32[rec + JOB_PARTS] = job.parts ?? 1;
      i32[rec + JOB_ARGC] = job.args.length;
      i32[rec + JOB_RC] = 0;
      f64.set(job.args, (this.control + HEADER_BYTES + j * JOB_BYTES + JOB_ARGS_BYTE) >> 3);
    });
    Atomics.store(i32, ctl + DONE, 0);
    this.epoch = (this.epoch + 1) & 0xffff;
    const epoch = this.epoch;
    Atomics.store(i32, ctl + STATE, (epoch << 16) | (n << 8));
    if (Atomics.load(i32, ctl + SLEEPERS) > 0) Atomics.notify(i32, ctl + STATE);
    // the caller's share: the same claim loop as worker.js (which imports nothing, so has its own copy)
    for (;;) {
      const s = Atomics.load(i32, ctl + STATE);
      const next = s & 255;
      if (s >>> 16 !== epoch || next >= n || !callerClaims) break;
      if (Atomics.compareExchange(i32, ctl + STATE, s, s + 1) !== s) continue;
      i32[((this.control + HEADER_BYTES + next * JOB_BYTES) >> 2) + JOB_RC] = this.#runHere(jobs[next]);
      Atomics.add(i32, ctl + DONE, 1);
    }
    const block = canBlock();
    for (let k = 0, d; (d = Atomics.load(i32, ctl + DONE)) < n; k++)
      if (block && k >= SPIN) Atomics.wait(i32, ctl + DONE, d);
    let rc = 0;
    jobs.forEach((job, j) => {
      let r = i32[((this.control + HEADER_BYTES + j * JOB_BYTES) >> 2) + JOB_RC];
      if (r === -1) r = this.#runHere(job); // a worker's scratch was too small: the caller may grow memory
      if (r !== 0 && rc === 0) rc = r;
    });
    return rc;
  }

  /** @param {{fn: string, args: number[], part?: number, parts?: number}} job */
  #runHere(job) {
    const ex = this.ex;
    ex.wg_thread_part(job.part ?? 0, job.parts ?? 1);
    try {
      return /** @type {WasmFn} */ (ex[job.fn])(...job.args);
    } finally {
      ex.wg_thread_part(0, 1);
    }
  }

  /** Ends the workers (idempotent). */
  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    orphans?.unregister(this);
    this.end();
  }
}
