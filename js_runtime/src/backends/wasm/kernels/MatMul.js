import { ACTIVATIONS, MATMUL_PARAMS_BYTES, rightAlign, writeMatmulParams } from '../params.js';

/** @typedef {import('./_context.js').Ctx} Ctx */
/** @typedef {import('../../interface.js').View} View */

/**
 * The batch dims of `a` and `b` broadcast together.
 * @param {readonly number[]} a @param {readonly number[]} b
 */
function broadcastBatch(a, b) {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    return x === 1 ? y : x;
  });
}

/**
 * MatMul: y = act(op(a) @ op(b) + bias) by `wg_MatMul`; a weight `b` pre-packed at load (`b.packed`,
 * the address of its `wg_pack_b` panels) skips the per-call packing.
 * @param {Ctx} ctx
 * @returns {import('./_context.js').Kernel}
 */
export function MatMul(ctx) {
  const fn = ctx.ex.wg_MatMul;
  const qfn = ctx.ex.wg_MatMul_q; // a weight kept as int8 / float16 (`b.quant`, ../quantized.js)
  return (inputs, attrs, y) => {
    const a = /** @type {View} */ (inputs[0]);
    const b = /** @type {View} */ (inputs[1]);
    const packed = typeof b.packed === 'number';
    ctx.paramsFor(y, a, MATMUL_PARAMS_BYTES, (dv, p) => writeParams(dv, p, a, b, attrs, packed));
    const bp = packed ? /** @type {number} */ (b.packed) : ctx.ptr(b);
    const q = /** @type {{kind: number, scales: number} | undefined} */ (/** @type {any} */ (b).quant);
    if (q)
      ctx.check('MatMul_q', qfn(ctx.ptr(a), bp, q.scales, ctx.ptr(inputs[2] ?? null), ctx.ptr(y), ctx.params, q.kind));
    else ctx.check('MatMul', fn(ctx.ptr(a), bp, ctx.ptr(inputs[2] ?? null), ctx.ptr(y), ctx.params));
  };
}

/**
 * @param {DataView} dv @param {number} p @param {View} a @param {View} b
 * @param {import('../../interface.js').Attrs} attrs @param {boolean} packed
 */
function writeParams(dv, p, a, b, attrs, packed) {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const ta = Boolean(attrs.transpose_a);
  const tb = Boolean(attrs.transpose_b);
  const M = ta ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = ta ? a.shape[ra - 2] : a.shape[ra - 1];
  const N = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  const aBatch = a.shape.slice(0, ra - 2);
  const bBatch = b.shape.slice(0, rb - 2);
  const batchShape = broadcastBatch(aBatch, bBatch);
  const batchRank = batchShape.length;
  writeMatmulParams(dv, p, {
    M,
    N,
    K,
    transposeA: ta,
    transposeB: tb && !packed,
    bPacked: packed,
    activation: ACTIVATIONS.indexOf(attrs.activation),
    alpha: attrs.alpha,
    batchRank,
    batchShape,
    aBatchShape: rightAlign(aBatch, batchRank),
    bBatchShape: rightAlign(bBatch, batchRank),
  });
}
