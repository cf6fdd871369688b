/**
 * Writes `values` as int32 fields from byte `at`, filling up to `slots` fields with `fill`.
 * @param {DataView} dv @param {number} at @param {readonly number[]} values @param {number} slots @param {number} [fill]
 */
export function ints(dv: DataView, at: number, values: readonly number[], slots?: number, fill?: number): void;
/**
 * `shape` right-aligned to `rank` (left-padded with 1).
 * @param {readonly number[]} shape @param {number} rank
 */
export function rightAlign(shape: readonly number[], rank: number): any[];
/**
 * wg_broadcast_params (76 bytes): rank, out_shape[6], a_shape[6], b_shape[6].
 * @param {DataView} dv @param {number} p @param {readonly number[]} out @param {readonly number[]} a @param {readonly number[]} b
 */
export function broadcastParams(dv: DataView, p: number, out: readonly number[], a: readonly number[], b: readonly number[]): void;
/**
 * wg_matmul_params (84 bytes).
 * @param {DataView} dv @param {number} p
 * @param {{M: number, N: number, K: number, transposeA: boolean, transposeB: boolean, bPacked: boolean,
 *   activation: number, alpha: number, batch: readonly number[], aBatch: readonly number[], bBatch: readonly number[]}} m
 */
export function matmulParams(dv: DataView, p: number, m: {
    M: number;
    N: number;
    K: number;
    transposeA: boolean;
    transposeB: boolean;
    bPacked: boolean;
    activation: number;
    alpha: number;
    batch: readonly number[];
    aBatch: readonly number[];
    bBatch: readonly number[];
}): void;
/**
 * wg_conv2d_params (76 bytes). `f` lists N, H, W, C, OH, OW, O, KH, KW, stride_h, stride_w, dilation_h,
 * dilation_w, pad_top, pad_left, groups, activation (17 ints); then alpha (f32) and w_packed.
 * @param {DataView} dv @param {number} p @param {readonly number[]} f @param {number} alpha @param {boolean} wPacked
 */
export function conv2dParams(dv: DataView, p: number, f: readonly number[], alpha: number, wPacked: boolean): void;
/**
 * wg_pool2d_params (48 bytes): N, H, W, C, OH, OW, KH, KW, stride_h, stride_w, pad_top, pad_left.
 * @param {DataView} dv @param {number} p @param {readonly number[]} f
 */
export function pool2dParams(dv: DataView, p: number, f: readonly number[]): void;
/**
 * wg_reduce_params (32 bytes): rank, shape[6], axes_mask.
 * @param {DataView} dv @param {number} p @param {readonly number[]} shape @param {number} mask
 */
export function reduceParams(dv: DataView, p: number, shape: readonly number[], mask: number): void;
/**
 * wg_transpose_params (52 bytes): rank, shape[6] (input), perm[6].
 * @param {DataView} dv @param {number} p @param {readonly number[]} shape @param {readonly number[]} perm
 */
export function transposeParams(dv: DataView, p: number, shape: readonly number[], perm: readonly number[]): void;
/**
 * wg_slice_params (100 bytes): rank, in_shape[6], out_shape[6], starts[6], steps[6].
 * @param {DataView} dv @param {number} p @param {readonly number[]} inShape @param {readonly number[]} outShape
 * @param {readonly number[]} starts @param {readonly number[]} steps
 */
export function sliceParams(dv: DataView, p: number, inShape: readonly number[], outShape: readonly number[], starts: readonly number[], steps: readonly number[]): void;
/**
 * Writers of the kernels' params structs (layouts in wasm_kernels/README.md): runs of 4-byte
 * little-endian fields, written with a DataView at byte `p` of linear memory. One function per struct.
 * @module
 */
/** Max rank of the shape fields; max batch rank of MatMul. */
export const MAX_RANK: 6;
export const MAX_BATCH: 4;
/** Activation codes, in the op set's order. */
export const ACTIVATIONS: readonly string[];
/** dtype codes of Cast and Dequantize. */
export const DTYPE_CODES: Readonly<{
    float32: 0;
    int32: 1;
    float16: 2;
    int8: 3;
    uint8: 4;
}>;
/** Bytes of wg_matmul_params. */
export const MATMUL_PARAMS_BYTES: 84;
/** Bytes of wg_conv2d_params. */
export const CONV2D_PARAMS_BYTES: 76;
