/**
 * Writers of the kernels' params structs (layouts in wasm_kernels/README.md): runs of 4-byte
 * little-endian fields, written with a DataView at byte `p` of linear memory. One function per struct.
 * @module
 */

/** Max rank of the shape fields; max batch rank of MatMul. */
export const MAX_RANK = 6;
export const MAX_BATCH = 4;
/** Activation codes, in the op set's order. */
export const ACTIVATIONS = Object.freeze(['none', 'relu', 'relu6', 'leaky_relu', 'sigmoid', 'tanh', 'gelu']);
/** dtype codes of Cast and Dequantize. */
export const DTYPE_CODES = Object.freeze({ float32: 0, int32: 1, float16: 2, int8: 3, uint8: 4 });

/**
 * Writes `values` as int32 fields from byte `at`, filling up to `slots` fields with `fill`.
 * @param {DataView} dv @param {number} at @param {readonly number[]} values @param {number} slots @param {number} [fill]
 */
export function ints(dv, at, values, slots = values.length, fill = 1) {
  for (let i = 0; i < slots; i++) dv.setInt32(at + 4 * i, i < values.length ? values[i] : fill, true);
}

/**
 * `shape` right-aligned to `rank` (left-padded with 1).
 * @param {readonly number[]} shape @param {number} rank
 */
export function rightAlign(shape, rank) {
  return [...new Array(rank - shape.length).fill(1), ...shape];
}

/**
 * wg_broadcast_params (76 bytes): rank, out_shape[6], a_shape[6], b_shape[6].
 * @param {DataView} dv @param {number} p @param {readonly number[]} out @param {readonly number[]} a @param {readonly number[]} b
 */
export function broadcastParams(dv, p, out, a, b) {
  const rank = out.length;
  dv.setInt32(p, rank, true);
  ints(dv, p + 4, out, MAX_RANK);
  ints(dv, p + 28, rightAlign(a, rank), MAX_RANK);
  ints(dv, p + 52, rightAlign(b, rank), MAX_RANK);
}

/** Bytes of wg_matmul_params. */
export const MATMUL_PARAMS_BYTES = 84;

/**
 * wg_matmul_params (84 bytes).
 * @param {DataView} dv @param {number} p
 * @param {{M: number, N: number, K: number, transposeA: boolean, transposeB: boolean, bPacked: boolean,
 *   activation: number, alpha: number, batch: readonly number[], aBatch: readonly number[], bBatch: readonly number[]}} m
 */
export function matmulParams(dv, p, m) {
  ints(dv, p, [m.M, m.N, m.K, +m.transposeA, +m.transposeB, +m.bPacked, m.activation]);
  dv.setFloat32(p + 28, m.alpha, true);
  const r = m.batch.length;
  dv.setInt32(p + 32, r, true);
  ints(dv, p + 36, m.batch, MAX_BATCH);
  ints(dv, p + 52, rightAlign(m.aBatch, r), MAX_BATCH);
  ints(dv, p + 68, rightAlign(m.bBatch, r), MAX_BATCH);
}

/** Bytes of wg_conv2d_params. */
export const CONV2D_PARAMS_BYTES = 76;

/**
 * wg_conv2d_params (76 bytes). `f` lists N, H, W, C, OH, OW, O, KH, KW, stride_h, stride_w, dilation_h,
 * dilation_w, pad_top, pad_left, groups, activation (17 ints); then alpha (f32) and w_packed.
 * @param {DataView} dv @param {number} p @param {readonly number[]} f @param {number} alpha @param {boolean} wPacked
 */
export function conv2dParams(dv, p, f, alpha, wPacked) {
  ints(dv, p, f);
  dv.setFloat32(p + 68, alpha, true);
  dv.setInt32(p + 72, +wPacked, true);
}

/**
 * wg_pool2d_params (48 bytes): N, H, W, C, OH, OW, KH, KW, stride_h, stride_w, pad_top, pad_left.
 * @param {DataView} dv @param {number} p @param {readonly number[]} f
 */
export function pool2dParams(dv, p, f) {
  ints(dv, p, f);
}

/**
 * wg_reduce_params (32 bytes): rank, shape[6], axes_mask.
 * @param {DataView} dv @param {number} p @param {readonly number[]} shape @param {number} mask
 */
export function reduceParams(dv, p, shape, mask) {
  dv.setInt32(p, shape.length, true);
  ints(dv, p + 4, shape, MAX_RANK);
  dv.setInt32(p + 28, mask, true);
}

/**
 * wg_transpose_params (52 bytes): rank, shape[6] (input), perm[6].
 * @param {DataView} dv @param {number} p @param {readonly number[]} shape @param {readonly number[]} perm
 */
export function transposeParams(dv, p, shape, perm) {
  dv.setInt32(p, shape.length, true);
  ints(dv, p + 4, shape, MAX_RANK);
  ints(dv, p + 28, perm, MAX_RANK, 0);
}

/**
 * wg_slice_params (100 bytes): rank, in_shape[6], out_shape[6], starts[6], steps[6].
 * @param {DataView} dv @param {number} p @param {readonly number[]} inShape @param {readonly number[]} outShape
 * @param {readonly number[]} starts @param {readonly number[]} steps
 */
export function sliceParams(dv, p, inShape, outShape, starts, steps) {
  dv.setInt32(p, inShape.length, true);
  ints(dv, p + 4, inShape, MAX_RANK);
  ints(dv, p + 28, outShape, MAX_RANK);
  ints(dv, p + 52, starts, MAX_RANK, 0);
  ints(dv, p + 76, steps, MAX_RANK);
}
