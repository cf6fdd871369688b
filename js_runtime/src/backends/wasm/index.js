/**
 * The `wasm` backend: the WebAssembly-SIMD kernels of `wasm_kernels/` (shipped prebuilt in `wasm/`),
 * one instance (and linear memory) per model. Weights are copied into linear memory once at load,
 * MatMul `b` weights and Conv2D filters pre-packed into GEMM panels (`view.packed` holds their
 * address; a weight only ever read packed keeps no raw copy); the executor's arena is one `wg_alloc`
 * block above them. The relaxed-SIMD build is used
 * where the engine validates relaxed SIMD, the SIMD128 build otherwise (or when asked for with
 * `wasmVariant: 'simd'`).
 * @module
 */

import { WebgradError } from '../../errors.js';
import { viewOf } from '../../dtypes.js';
import { sizeOf } from '../../shapes.js';
import { ABI_VERSION, detectFeatures } from './module.js';
import { instantiateKernels, planThreads, preloadKernels } from './threads/support.js';
import { PARAMS_BYTES, makeContext } from './kernels/_context.js';
import { writeConv2dParams } from './params.js';
import { packStored, storedLayout } from './quantized.js';

/** @typedef {import('../interface.js').Backend} Backend */
/** @typedef {import('../interface.js').BackendFactory} BackendFactory */
/** @typedef {import('../interface.js').BackendOptions} BackendOptions */
/** @typedef {import('../interface.js').View} View */
/** @typedef {import('../interface.js').GraphNode} GraphNode */
/** @typedef {import('../interface.js').ArenaMemory} ArenaMemory */
/** @typedef {import('./module.js').WasmVariant} WasmVariant */
/** @typedef {import('./kernels/_context.js').WasmFn} WasmFn */

const PAGE = 65536;
const ALIGN = 64;

/** @param {number} n */
const align = (n) => Math.ceil(n / ALIGN) * ALIGN;

/**
 * Why the wasm backend can (not) run here, and which build it would use.
 * @returns {{available: boolean, reason: string, variant: WasmVariant | null}}
 */
export function wasmSupport() {
  const f = detectFeatures();
  if (!f.wasm) return { available: false, reason: 'no WebAssembly in this engine', variant: null };
  if (!f.simd)
    return {
      available: false,
      reason: 'WebAssembly without SIMD128 (the kernels need fixed-width SIMD)',
      variant: null,
    };
  if (f.relaxed)
    return { available: true, reason: 'WebAssembly relaxed SIMD (webgrad-relaxed.wasm)', variant: 'relaxed' };
  return {
    available: true,
    reason: 'WebAssembly SIMD128 (relaxed SIMD not supported by this engine)',
    variant: 'simd',
  };
}

/**
 * How a weight is used, to decide its packing: 'b' (MatMul b, with transpose_b), 'conv' (dense or grouped
 * Conv2D filter, with groups), or null when it should not be packed (unused that way, or used two ways).
 * @param {readonly GraphNode[]} nodes
 * @param {Map<string, View>} weights
 * @returns {Map<string, {kind: 'b', transpose: boolean} | {kind: 'conv', groups: number} | null>}
 */
function packingPlan(nodes, weights) {
  /** @type {Map<string, any>} */
  const plan = new Map();
  for (const node of nodes) {
    const name = node.inputs[1];
    const w = name ? weights.get(name) : undefined;
    if (!w || w.dtype !== 'float32' || (node.op !== 'MatMul' && node.op !== 'Conv2D')) continue;
    let want = null;
    if (node.op === 'MatMul' && w.shape.length >= 2) want = { kind: 'b', transpose: Boolean(node.attrs.transpose_b) };
    if (node.op === 'Conv2D' && w.shape.length === 4) {
      const groups = node.attrs.groups;
      const c = w.shape[2] * groups;
      if (!(groups === c && c > 1)) want = { kind: 'conv', groups };
    }
    const had = plan.get(name);
    if (had === undefined) plan.set(name, want);
    else if (had === null || want === null || JSON.stringify(had) !== JSON.stringify(want)) plan.set(name, null);
  }
  return plan;
}

/**
 * How many times each tensor is a node input, and how many of those are packable (MatMul `b`,
 * Conv2D `w`).
 * @param {readonly GraphNode[]} nodes
 * @returns {Map<string, {all: number, packable: number}>}
 */
function countUses(nodes) {
  /** @type {Map<string, {all: number, packable: number}>} */
  const uses = new Map();
  for (const node of nodes) {
    node.inputs.forEach((name, i) => {
      if (!name) return;
      const u = uses.get(name) ?? { all: 0, packable: 0 };
      u.all += 1;
      if (i === 1 && (node.op === 'MatMul' || node.op === 'Conv2D')) u.packable += 1;
      uses.set(name, u);
    });
  }
  return uses;
}

/** @type {BackendFactory} */
export const wasmBackend = {
  description: 'WebAssembly SIMD128 kernels (relaxed-SIMD build where the engine supports it)',
  available: () => {
    const s = wasmSupport();
    return { available: s.available, reason: s.reason };
  },
  create: (options = {}) => createWasmBackend(options),
  preload: (options = {}) => {
    let variant;
    try {
      ({ variant } = chooseVariant(options));
    } catch {
      return; // create() reports it
    }
    preloadKernels(variant, options.threads);
    importKernels().catch(() => {});
  },
};

/** The kernels' glue, imported on first use so that a page that never picks wasm never downloads it. */
const importKernels = () => import('./kernels/index.js');

/**
 * The build `options.wasmVariant` asks for on this engine, or an error saying why there is none.
 * @param {BackendOptions} options
 * @returns {{support: ReturnType<typeof wasmSupport>, variant: WasmVariant}}
 */
function chooseVariant(options) {
  const support = wasmSupport();
  if (!support.available || !support.variant)
    throw new WebgradError('EBACKEND', `backend 'wasm' is not available here: ${support.reason}`);
  const requested = options.wasmVariant ?? 'auto';
  if (!['auto', 'simd', 'relaxed'].includes(requested)) {
    throw new WebgradError('EARG', `wasmVariant must be 'auto', 'simd' or 'relaxed', got ${JSON.stringify(requested)}`);
  }
  if (requested === 'relaxed' && support.variant !== 'relaxed') {
    throw new WebgradError(
      'EBACKEND',
      "wasmVariant 'relaxed' is not available here: this engine does not support relaxed SIMD (Node.js 20 needs --experimental-wasm-relaxed-simd)",
    );
  }
  return { support, variant: requested === 'auto' ? support.variant : requested };
}

/**
 * A fresh instance of the kernels with its own linear memory.
 * @param {BackendOptions} options `wasmVariant`: 'relaxed' | 'simd' | 'auto' (default)
 * @returns {Promise<Backend>}
 */
export async function createWasmBackend(options = {}) {
  const { support, variant } = chooseVariant(options);
  // one thread: the single-threaded build; more: the shared-memory build and its worker pool (threads/)
  const made = await instantiateKernels(variant, await planThreads(options.threads));
  const instance = made.instance;
  const ex = /** @type {Record<string, WasmFn>} */ (/** @type {unknown} */ (instance.exports));
  const memory = made.memory;
  if (ex.wg_abi_version() !== ABI_VERSION) {
    made.dispose();
    throw new WebgradError(
      'EBACKEND',
      `${made.file} speaks ABI ${ex.wg_abi_version()}, this glue ABI ${ABI_VERSION}: reinstall the package`,
    );
  }

  /** @type {{view: View, ptr: number, length: number}[]} weight views to re-create when memory moves */
  let owned = [];
  /** @type {{view: View, ptr: number, length: number}[]} arrays adopted by `adoptArray` (optimizer slots) */
  let adopted = [];
  let weightBytes = 0;
  const refresh = () => {
    for (const w of owned) w.view.data = viewOf(w.view.dtype, memory.buffer, w.ptr, w.length);
    for (const w of adopted) w.view.data = viewOf(w.view.dtype, memory.buffer, w.ptr, w.length);
  };
  /** @param {number} bytes */
  const alloc = (bytes) => {
    const p = ex.wg_alloc(bytes) >>> 0;
    if (p === 0)
      throw new WebgradError('EBACKEND', `wasm backend: out of memory allocating ${bytes} bytes of linear memory`);
    return p;
  };
  /** @param {number} end make linear memory at least `end` bytes (one grow) */
  const reserve = (end) => {
    const have = memory.buffer.byteLength;
    if (end > have) memory.grow(Math.ceil((end - have) / PAGE));
  };

  const params = alloc(PARAMS_BYTES);
  const ctx = makeContext(made.wrap(ex), memory, params, refresh);
  let disposed = false;
  const { makeKernels } = await importKernels();
  const kernels = makeKernels(ctx);
  /** @type {number | null} the top before the arena (where it is freed back to) */
  let arenaMark = null;

  /** @type {Backend} */
  const backend = {
    name: 'wasm',
    detail: `${made.file}: ${variant === 'relaxed' ? 'relaxed SIMD' : `SIMD128${support.variant === 'relaxed' ? ' (relaxed SIMD available, not used: wasmVariant simd)' : ' (relaxed SIMD not supported by this engine)'}`}; ${made.reason}`,
    threads: made.threads,
    kernels,
    deviceBytes: () => memory.buffer.byteLength,
    /**
     * @param {Map<string, View>} weights
     * @param {readonly GraphNode[]} nodes
     * @param {{plain?: Iterable<string>}} [options] `plain`: weights kept unpacked (trainable weights,
     *   updated in place between steps: a packed copy would go stale)
     */
    prepareWeights(weights, nodes, { plain = [] } = {}) {
      const packing = packingPlan(nodes, weights);
      for (const name of plain) packing.set(name, null);
      const uses = countUses(nodes);
      const dv = ctx.dv();
      /** @type {{name: string, w: View, bytes: number, packedFloats: number, packedBytes: number, count: number,
       *   packedOnly: boolean, stored: import('./quantized.js').StoredLayout | null}[]} */
      const items = [];
      let total = 0;
      let temp = 0;
      for (const [name, w] of weights) {
        const how = packing.get(name);
        let packedFloats = 0;
        let count = 1;
        if (how?.kind === 'b') {
          const r = w.shape.length;
          const [K, N] = how.transpose ? [w.shape[r - 1], w.shape[r - 2]] : [w.shape[r - 2], w.shape[r - 1]];
          count = sizeOf(w.shape.slice(0, r - 2));
          packedFloats = (ex.wg_packed_b_size(K, N) >>> 0) * count;
        } else if (how?.kind === 'conv') {
          writeConv2dParams(dv, params, convPackFields(w.shape, how.groups));
          packedFloats = ex.wg_conv2d_packed_size(params) >>> 0;
        }
        // every use reads the packed panels: the raw copy is only needed while packing
        const packedOnly = packedFloats > 0 && uses.get(name)?.all === uses.get(name)?.packable;
        // int8 / float16 kept at their stored width (quantized.js); reading w.data would dequantize it
        const stored = storedLayout(w, how, packedOnly);
        const bytes = Math.max(stored ? stored.rawBytes : w.data.byteLength, 4);
        const packedBytes = stored ? stored.packedBytes : packedFloats * 4;
        const scaleBytes = stored?.scales ? align(stored.scales.byteLength) : 0;
        items.push({ name, w, bytes, packedFloats, packedBytes, count, packedOnly, stored });
        total += (packedOnly ? 0 : align(bytes)) + (packedBytes ? align(packedBytes) : 0) + scaleBytes;
        if (packedOnly) temp += align(bytes);
      }
      reserve((ex.wg_mark() >>> 0) + total + temp + ALIGN * 2);
      const placed = items.map((it) => ({
        ...it,
        ptr: it.packedOnly ? 0 : alloc(it.bytes),
        packed: it.packedBytes ? alloc(it.packedBytes) : 0,
        scales: it.stored?.scales ? alloc(it.stored.scales.byteLength) : 0,
      }));
      weightBytes = total;
      const mark = ex.wg_mark() >>> 0;
      for (const it of placed) if (it.packedOnly) it.ptr = alloc(it.bytes); // raw data for packing only
      const u8 = new Uint8Array(memory.buffer);
      for (const it of placed)
        if (!it.stored) u8.set(new Uint8Array(it.w.data.buffer, it.w.data.byteOffset, it.w.data.byteLength), it.ptr);
      for (const it of placed) {
        if (!it.packed) continue;
        if (it.stored) {
          packStored(ctx, it.stored, /** @type {any} */ (it.w).stored, {
            raw: it.ptr,
            packed: it.packed,
            scales: it.scales,
          });
          continue;
        }
        const how = /** @type {any} */ (packing.get(it.name));
        const shape = it.w.shape;
        if (how.kind === 'b') {
          const r = shape.length;
          const [K, N] = how.transpose ? [shape[r - 1], shape[r - 2]] : [shape[r - 2], shape[r - 1]];
          const per = ex.wg_packed_b_size(K, N) >>> 0;
          for (let i = 0; i < it.count; i++)
            ctx.check(
              'pack_b',
              ex.wg_pack_b(it.ptr + i * K * N * 4, it.packed + i * per * 4, K, N, how.transpose ? 1 : 0),
            );
        } else {
          writeConv2dParams(ctx.dv(), params, convPackFields(shape, how.groups));
          ctx.check('pack_conv2d', ex.wg_pack_conv2d(it.ptr, it.packed, params));
        }
      }
      ex.wg_reset(mark);
      /** @type {Map<string, View>} */
      const out = new Map();
      owned = placed.map((it) => {
        // a packed-only weight's data is an empty view at its panels: no kernel reads it, and nothing
        // could read wrong numbers from it
        const ptr = it.packedOnly ? it.packed : it.ptr;
        const length = it.packedOnly ? 0 : it.w.data.length;
        /** @type {View} */
        const view = { data: viewOf(it.w.dtype, memory.buffer, ptr, length), shape: it.w.shape, dtype: it.w.dtype };
        if (it.packed) view.packed = it.packed;
        if (it.stored) /** @type {any} */ (view).quant = { kind: it.stored.kind, scales: it.scales };
        out.set(it.name, view);
        return { view, ptr, length };
      });
      return out;
    },
    allocateArena(byteLength) {
      if (disposed) throw new WebgradError('EDISPOSED', 'the wasm backend was used after dispose()');
      if (arenaMark !== null)
        throw new WebgradError('EBACKEND', 'wasm backend: one arena at a time (release the old one first)');
      const mark = ex.wg_mark() >>> 0;
      const byteOffset = alloc(Math.max(byteLength, 16));
      arenaMark = mark;
      ctx.sync(); // memory may have grown: refresh the weight views
      return {
        get buffer() {
          return ctx.buffer();
        },
        byteOffset,
        byteLength,
      };
    },
    releaseArena() {
      if (arenaMark === null || disposed) return;
      ex.wg_reset(arenaMark);
      arenaMark = null;
    },
    weightsBytes: () => weightBytes,
    /**
     * Copies a float32 array (an optimizer slot) into linear memory, below any arena, so that
     * `optimizerUpdate` can run on it; null while an arena is allocated (it would be freed with it).
     * @param {Float32Array} data
     * @returns {View | null} a view whose `data` is kept current when the memory moves
     */
    adoptArray(data) {
      if (disposed || arenaMark !== null) return null;
      const bytes = Math.max(data.byteLength, 4);
      reserve((ex.wg_mark() >>> 0) + align(bytes) + ALIGN);
      const ptr = alloc(bytes);
      ctx.sync();
      new Float32Array(ctx.buffer(), ptr, data.length).set(data);
      /** @type {View} */
      const view = { data: viewOf('float32', ctx.buffer(), ptr, data.length), shape: [data.length], dtype: 'float32' };
      adopted.push({ view, ptr, length: data.length });
      weightBytes += align(bytes);
      return view;
    },
    /**
     * One optimizer update in place by the SIMD kernels (`wg_sgd_update`, `wg_adam_update`): the same
     * float32 operations in the same order as the JS loops of train/optimizers.js, so the same bits.
     * @param {'sgd' | 'adam'} kind
     * @param {(Float32Array | undefined)[]} arrays sgd: [w, g, velocity?]; adam: [w, g, m, v]
     * @param {number[]} hyper sgd: [lr, momentum, nesterov]; adam: [lr_t, b1, b2, 1 - b1, 1 - b2, eps]
     * @returns {boolean} false (nothing done) when an array is not in this instance's linear memory
     */
    optimizerUpdate(kind, arrays, hyper) {
      if (disposed) return false;
      ctx.sync();
      const buffer = ctx.buffer();
      const n = arrays[0]?.length ?? 0;
      /** @type {number[]} */
      const ptrs = [];
      for (const a of arrays) {
        if (a === undefined) ptrs.push(0);
        else if (a.buffer !== buffer || a.length !== n) return false;
        else ptrs.push(a.byteOffset);
      }
      if (kind === 'sgd') ctx.check('sgd_update', ex.wg_sgd_update(ptrs[0], ptrs[1], ptrs[2] ?? 0, n, ...hyper));
      else ctx.check('adam_update', ex.wg_adam_update(ptrs[0], ptrs[1], ptrs[2], ptrs[3], n, ...hyper));
      return true;
    },
    dispose() {
      disposed = true;
      owned = [];
      adopted = [];
      weightBytes = 0;
      made.dispose();
    },
  };
  return backend;
}

/**
 * wg_conv2d_params fields that describe only a filter of `shape` (HWIO) with `groups`, for packing.
 * @param {readonly number[]} shape
 * @param {number} groups
 * @returns {import('./params.generated.js').Conv2dParams}
 */
function convPackFields(shape, groups) {
  const [KH, KW, cg, O] = shape;
  return {
    N: 1,
    H: KH,
    W: KW,
    C: cg * groups,
    OH: 1,
    OW: 1,
    O,
    KH,
    KW,
    strideH: 1,
    strideW: 1,
    dilationH: 1,
    dilationW: 1,
    padTop: 0,
    padLeft: 0,
    groups,
    activation: 0,
    alpha: 0,
    wPacked: false,
  };
}
