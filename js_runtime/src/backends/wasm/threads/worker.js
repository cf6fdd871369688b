/**
 * A worker of the wasm backend's pool (pool.js): one instance of the threaded kernels on the shared
 * linear memory, with its own stack, thread-local block and scratch region. It waits for dispatches
 * (a short spin, then `Atomics.wait`), claims jobs, runs each as its export with its share
 * (`wg_thread_part`), and counts it done. Self-contained (no imports), the same file for Node.js
 * `worker_threads` and browser Web Workers.
 */

/** Loads of the state word before a worker sleeps: about 50-100 µs, the gap between two large ops. */
const SPIN = 20000;

/**
 * @param {any} d the start message: module, memory, names, control, layout, stackTop, tls, scratch, end
 * @param {(msg: any) => void} post
 */
async function start(d, post) {
  const L = d.layout;
  const module = /** @type {WebAssembly.Module} */ (d.module);
  const instance = await WebAssembly.instantiate(module, { env: { memory: d.memory } });
  const ex = /** @type {any} */ (instance.exports);
  ex.__stack_pointer.value = d.stackTop;
  ex.__wasm_init_tls(d.tls);
  ex.wg_thread_init(d.scratch, d.end);
  const fns = d.names.map((/** @type {string} */ n) => ex[n]);
  const i32 = new Int32Array(d.memory.buffer);
  const f64 = new Float64Array(d.memory.buffer);
  const ctl = d.control >> 2;
  Atomics.add(i32, ctl + L.RUNNING, 1);
  post({ ready: true });

  /** @param {number} j */
  const run = (j) => {
    const rec = (d.control + L.HEADER_BYTES + j * L.JOB_BYTES) >> 2;
    const a = (d.control + L.HEADER_BYTES + j * L.JOB_BYTES + L.JOB_ARGS_BYTE) >> 3;
    ex.wg_thread_part(i32[rec + L.JOB_PART], i32[rec + L.JOB_PARTS]);
    let rc;
    try {
      const argc = i32[rec + L.JOB_ARGC];
      const args = [];
      for (let i = 0; i < argc; i++) args.push(f64[a + i]);
      rc = fns[i32[rec + L.JOB_FN]](...args);
    } catch {
      rc = -3; // a trap: the caller reports it
    }
    ex.wg_thread_part(0, 1);
    i32[rec + L.JOB_RC] = rc;
  };

  let seen = -1;
  for (;;) {
    let s = Atomics.load(i32, ctl + L.STATE);
    if (Atomics.load(i32, ctl + L.QUIT)) break;
    if (s >>> 16 === seen) {
      for (let k = 0; k < SPIN && Atomics.load(i32, ctl + L.STATE) === s; k++);
      if (Atomics.load(i32, ctl + L.STATE) === s) {
        Atomics.add(i32, ctl + L.SLEEPERS, 1);
        Atomics.wait(i32, ctl + L.STATE, s);
        Atomics.sub(i32, ctl + L.SLEEPERS, 1);
      }
      continue;
    }
    seen = s >>> 16;
    for (;;) {
      s = Atomics.load(i32, ctl + L.STATE);
      const next = s & 255;
      const n = (s >>> 8) & 255;
      if (s >>> 16 !== seen || next >= n) break;
      if (Atomics.compareExchange(i32, ctl + L.STATE, s, s + 1) !== s) continue;
      run(next);
      if (Atomics.add(i32, ctl + L.DONE, 1) + 1 === n) Atomics.notify(i32, ctl + L.DONE);
    }
  }
  Atomics.sub(i32, ctl + L.RUNNING, 1);
}

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';
if (isNode) {
  import('node:worker_threads').then(({ parentPort }) => {
    const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
    port.once('message', (d) => start(d, (m) => port.postMessage(m)).finally(() => port.close()));
  });
} else {
  const scope = /** @type {any} */ (globalThis);
  scope.onmessage = (/** @type {MessageEvent} */ e) => {
    scope.onmessage = null;
    start(e.data, (m) => scope.postMessage(m)).finally(() => scope.close());
  };
}
