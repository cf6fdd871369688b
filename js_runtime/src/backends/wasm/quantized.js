/**
 * int8 and float16 weights kept at their stored width in linear memory (docs/quantized_execution.md):
 * which weights can be, their panel layout, and the packing at load. A MatMul `b` (one matrix, no
 * batch dims) or a dense or grouped Conv2D filter read only by those ops is packed by `wg_pack_b_q`
 * into the GEMM panel layout at 1 (int8) or 2 (float16) bytes a value, with int8's per-output-channel
 * scales padded to whole panels; the kernels (`wg_MatMul_q`, `wg_Conv2D_q`) decode the panels to
 * float32 inside the call. Any other stored weight is dequantized to float32 at load, as before.
 * @module
 */

import { sizeOf } from '../../shapes.js';

/** @typedef {import('../../loader/weights.js').LoadedWeight} LoadedWeight */
/** @typedef {import('../../loader/weights.js').StoredWeight} StoredWeight */
/** @typedef {{kind: 'b', transpose: boolean} | {kind: 'conv', groups: number}} Packing */
/** @typedef {import('./kernels/_context.js').Ctx} Ctx */

/** The `kind` argument of the C entry points (WG_Q_INT8, WG_Q_F16 in wasm_kernels/src/gemm_q.h). */
const KIND = /** @type {const} */ ({ int8: 1, float16: 2 });

/** Columns per GEMM panel (WG_NR). */
const NR = 8;

/**
 * How a stored weight's packed form is laid out.
 * @typedef {object} StoredLayout
 * @property {1 | 2} kind WG_Q_INT8 or WG_Q_F16
 * @property {number} elemBytes 1 or 2
 * @property {{K: number, N: number, src: number, dst: number, rs: number, cs: number}[]} matrices one per
 *   group (one for MatMul): element offsets in the stored data (`src`, strides `rs`, `cs`) and the packed
 *   panels (`dst`)
 * @property {number} rawBytes bytes of the stored data (copied into linear memory for packing only)
 * @property {number} packedBytes bytes of the packed panels
 * @property {Float32Array | null} scales int8: the scales padded with zeros to whole panels per group
 */

/**
 * The packed layout of `w` at its stored width, or null when it is to be used as float32 instead.
 * @param {LoadedWeight} w
 * @param {Packing | null | undefined} how how the float32 weight would be packed
 * @param {boolean} packedOnly every use of the weight reads its packed form
 * @returns {StoredLayout | null}
 */
export function storedLayout(w, how, packedOnly) {
  const s = w.stored;
  if (!s || !how || !packedOnly) return null;
  const shape = w.shape;
  const r = shape.length;
  // int8 scales must run along the output channels (the last axis of b [K, N] and of an HWIO filter)
  if (s.dtype === 'int8' && s.axis !== r - 1) return null;
  /** @type {StoredLayout['matrices']} */
  const matrices = [];
  let outPerGroup;
  if (how.kind === 'b') {
    if (sizeOf(shape.slice(0, r - 2)) !== 1 || (how.transpose && s.dtype === 'int8')) return null;
    const [K, N] = how.transpose ? [shape[r - 1], shape[r - 2]] : [shape[r - 2], shape[r - 1]];
    matrices.push({ K, N, src: 0, dst: 0, rs: how.transpose ? 1 : N, cs: how.transpose ? K : 1 });
    outPerGroup = N;
  } else {
    const [KH, KW, cg, O] = shape;
    const G = how.groups;
    const og = O / G;
    const K = KH * KW * cg;
    const per = Math.ceil(og / NR) * NR * K;
    for (let g = 0; g < G; g++) matrices.push({ K, N: og, src: g * og, dst: g * per, rs: O, cs: 1 });
    outPerGroup = og;
  }
  const elemBytes = s.dtype === 'int8' ? 1 : 2;
  const padded = Math.ceil(outPerGroup / NR) * NR;
  const packedElems = matrices.reduce((n, m) => n + padded * m.K, 0);
  /** @type {Float32Array | null} */
  let scales = null;
  if (s.scales) {
    const src = s.scales;
    const dst = new Float32Array(matrices.length * padded);
    matrices.forEach((_, g) => dst.set(src.subarray(g * outPerGroup, (g + 1) * outPerGroup), g * padded));
    scales = dst;
  }
  return {
    kind: KIND[s.dtype],
    elemBytes,
    matrices,
    rawBytes: s.data.byteLength,
    packedBytes: packedElems * elemBytes,
    scales,
  };
}

/**
 * Copies the stored data to `raw` (scratch), packs it into panels at `packed` and writes the scales at
 * `scales` (int8; 0 for float16). Every address is in `ctx`'s memory, already allocated.
 * @param {Ctx} ctx
 * @param {StoredLayout} layout
 * @param {StoredWeight} stored
 * @param {{raw: number, packed: number, scales: number}} at
 */
export function packStored(ctx, layout, stored, at) {
  const buffer = ctx.buffer();
  new Uint8Array(buffer).set(
    new Uint8Array(stored.data.buffer, stored.data.byteOffset, stored.data.byteLength),
    at.raw,
  );
  if (layout.scales) new Float32Array(buffer, at.scales, layout.scales.length).set(layout.scales);
  const e = layout.elemBytes;
  for (const m of layout.matrices)
    ctx.check(
      'pack_b_q',
      ctx.ex.wg_pack_b_q(at.raw + m.src * e, at.packed + m.dst * e, m.K, m.N, m.rs, m.cs, layout.kind),
    );
}
