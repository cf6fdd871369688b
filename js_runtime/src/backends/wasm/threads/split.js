/**
 * Which kernel calls run on the pool, and how they are split so that every output element is computed
 * by exactly the same float operations for any thread count (docs/threads.md):
 *
 * - GEMM-based calls (MatMul, dense and grouped Conv2D): every thread calls the same export with the
 *   same arguments and its share (`wg_thread_part`); the GEMM core then computes only that share of
 *   its MR-row tiles (or, for one row, of its groups of 3 panels), tiles that are the same for any
 *   count (wasm_kernels/src/gemm_core.c, `wg_share`).
 * - Depthwise Conv2D, MaxPool2D, AvgPool2D: each part is a smaller call over a range of output rows
 *   (whole images, or rows of one image with `H`, `OH`, `pad_top` and `x` adjusted), its params in its
 *   own slot; these kernels compute each output pixel on its own, so the bits do not depend on the range.
 *
 * Calls under {@link MIN_PARALLEL_MACS} multiply-adds stay on the calling thread: waking the workers
 * and waiting for them costs more than they save. So do all calls until a worker runs (they start after
 * the model loads, in the background).
 * @module
 */

import { LAYOUTS } from '../params.generated.js';

/** Work (multiply-adds) below which a call runs on the calling thread alone. */
export const MIN_PARALLEL_MACS = 1 << 17;
let minWork = MIN_PARALLEL_MACS;

/**
 * For tests: split calls of at least `macs` multiply-adds (0: every call), instead of
 * {@link MIN_PARALLEL_MACS}; returns the previous value.
 * @param {number} macs
 */
export function setMinParallelWork(macs) {
  const was = minWork;
  minWork = macs;
  return was;
}

/** @typedef {(...args: number[]) => number} WasmFn */
/** @typedef {import('./pool.js').Pool} Pool */

/** Exports that take wg_matmul_params (at this argument) and compute on the GEMM core. */
const MATMUL_CALLS = { wg_MatMul: 4, wg_MatMul_q: 5 };
/** Exports that take wg_conv2d_params (at this argument): GEMM core, depthwise split by rows. */
const CONV_CALLS = { wg_Conv2D: 4, wg_Conv2D_q: 5 };
/** Exports that take (x, y, wg_pool2d_params): split by rows like depthwise convs. */
const POOL_CALLS = ['wg_MaxPool2D', 'wg_AvgPool2D'];
const MM = LAYOUTS.wg_matmul_params;
const PL = LAYOUTS.wg_pool2d_params;
const CV = LAYOUTS.wg_conv2d_params;
/** @param {number} byte */
const w = (byte) => byte >> 2;

/**
 * The exports the kernels' glue gets on a threaded instance: `ex` with the splittable calls going
 * through `pool`.
 * @param {Record<string, WasmFn>} ex the calling thread's exports
 * @param {Pool} pool
 * @returns {Record<string, WasmFn>}
 */
export function threadedExports(ex, pool) {
  /** @type {ArrayBuffer | SharedArrayBuffer | null} */
  let seen = null;
  let i32 = new Int32Array(0);
  let u8 = new Uint8Array(0);
  const views = () => {
    const b = pool.memory.buffer;
    if (b !== seen) {
      seen = b;
      i32 = new Int32Array(b);
      u8 = new Uint8Array(b);
    }
  };
  /** @param {string} fn @param {number[]} args every thread calls `fn` on `args`, with its share */
  const shares = (fn, args) =>
    Array.from({ length: pool.threads }, (_, part) => ({ fn, args, part, parts: pool.threads }));

  const out = { ...ex };
  for (const [name, paramsAt] of Object.entries(MATMUL_CALLS)) {
    if (!ex[name]) continue;
    out[name] = (...args) => {
      views();
      const q = args[paramsAt] >> 2;
      let work = i32[q + w(MM.fields.M)] * i32[q + w(MM.fields.N)] * i32[q + w(MM.fields.K)];
      for (let d = 0; d < i32[q + w(MM.fields.batch_rank)]; d++) work *= i32[q + w(MM.fields.batch_shape) + d];
      return work >= minWork && pool.helped() ? pool.run(shares(name, args)) : ex[name](...args);
    };
  }
  for (const [name, paramsAt] of Object.entries(CONV_CALLS)) {
    if (!ex[name]) continue;
    out[name] = (...args) => {
      views();
      const q = args[paramsAt] >> 2;
      const f = (/** @type {keyof typeof CV.fields} */ field) => i32[q + w(CV.fields[field])];
      const C = f('C');
      const G = f('groups');
      const work = f('N') * f('OH') * f('OW') * f('O') * f('KH') * f('KW') * (C / G);
      if (!(work >= minWork && pool.helped())) return ex[name](...args);
      if (G !== C || C <= 1) return pool.run(shares(name, args));
      if (name !== 'wg_Conv2D') return ex[name](...args);
      return pool.run(rowRanges(pool, i32, u8, name, args, { x: 0, y: 3, p: 4 }, CV, true));
    };
  }
  for (const name of POOL_CALLS) {
    if (!ex[name]) continue;
    out[name] = (x, y, p) => {
      views();
      const q = p >> 2;
      const f = (/** @type {keyof typeof PL.fields} */ field) => i32[q + w(PL.fields[field])];
      const work = f('N') * f('OH') * f('OW') * f('C') * f('KH') * f('KW');
      if (!(work >= minWork && pool.helped())) return ex[name](x, y, p);
      return pool.run(rowRanges(pool, i32, u8, name, [x, y, p], { x: 0, y: 1, p: 2 }, PL, false));
    };
  }
  return out;
}

/**
 * A call that computes each output pixel on its own (depthwise Conv2D, pooling) as calls over ranges of
 * output rows: the N * OH rows split evenly among the threads, each range cut into whole images (one
 * call with a smaller N) and the rows of partial images (`H`, `OH`, `pad_top` and `x` adjusted so that
 * every window reads the same input rows and clips at the same edges).
 * @param {Pool} pool @param {Int32Array} i32 @param {Uint8Array} u8
 * @param {string} fn @param {number[]} args
 * @param {{x: number, y: number, p: number}} at the argument positions of x, y and the params
 * @param {typeof CV | typeof PL} layout the params struct (fields N, H, W, C, OH, OW, stride_h, pad_top)
 * @param {boolean} conv whether y has O channels (Conv2D) or C (pooling)
 */
function rowRanges(pool, i32, u8, fn, args, at, layout, conv) {
  const fields = /** @type {Record<string, number>} */ (layout.fields);
  const p = args[at.p];
  const f = (/** @type {string} */ name) => i32[(p >> 2) + w(fields[name])];
  const [N, H, W, C, OH, OW] = [f('N'), f('H'), f('W'), f('C'), f('OH'), f('OW')];
  const YC = conv ? f('O') : C;
  const sh = f('stride_h');
  const pt = f('pad_top');
  const rows = N * OH;
  /** @type {{fn: string, args: number[]}[]} */
  const jobs = [];
  /** @param {number} n @param {number} images @param {number} oh0 @param {number} oh1 */
  const piece = (n, images, oh0, oh1) => {
    const slot = pool.slot(jobs.length);
    u8.copyWithin(slot, p, p + layout.bytes);
    const s = slot >> 2;
    let x0 = n * H * W * C;
    i32[s + w(fields.N)] = images;
    if (images === 1 && (oh0 > 0 || oh1 < OH)) {
      const ih = Math.min(Math.max(oh0 * sh - pt, 0), H - 1); // the first input row the range reads
      x0 += ih * W * C;
      i32[s + w(fields.H)] = H - ih;
      i32[s + w(fields.OH)] = oh1 - oh0;
      i32[s + w(fields.pad_top)] = pt + ih - oh0 * sh;
    }
    const part = [...args];
    part[at.x] = args[at.x] + 4 * x0;
    part[at.y] = args[at.y] + 4 * (n * OH + oh0) * OW * YC;
    part[at.p] = slot;
    jobs.push({ fn, args: part });
  };
  for (let part = 0; part < pool.threads; part++) {
    let r = Math.floor((rows * part) / pool.threads);
    const end = Math.floor((rows * (part + 1)) / pool.threads);
    while (r < end) {
      const n = Math.floor(r / OH);
      const oh = r - n * OH;
      if (oh === 0 && end - r >= OH) {
        const images = Math.floor((end - r) / OH);
        piece(n, images, 0, OH);
        r += images * OH;
      } else {
        const oh1 = Math.min(OH, oh + end - r);
        piece(n, 1, oh, oh1);
        r += oh1 - oh;
      }
    }
  }
  return jobs;
}
