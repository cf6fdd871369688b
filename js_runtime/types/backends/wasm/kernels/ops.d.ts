/** BatchNorm over the last axis: `wg_BatchNorm(x, scale, bias, mean, var, y, rows, C, eps)`. @param {Ctx} ctx @returns {Kernel} */
export function BatchNorm(ctx: Ctx): Kernel;
/** LayerNorm over `shape[axis:]`: `wg_LayerNorm(x, gamma, beta, y, rows, G, eps)`. @param {Ctx} ctx @returns {Kernel} */
export function LayerNorm(ctx: Ctx): Kernel;
/** GlobalAvgPool (NHWC): `wg_GlobalAvgPool(x, y, N, H·W, C)`. @param {Ctx} ctx @returns {Kernel} */
export function GlobalAvgPool(ctx: Ctx): Kernel;
/** Reshape / Flatten as a copy of 4-byte elements (the executor aliases them instead). @param {Ctx} ctx @param {'Reshape' | 'Flatten'} op @returns {Kernel} */
export function copyKernel(ctx: Ctx, op: "Reshape" | "Flatten"): Kernel;
/** Transpose of 4-byte elements by `perm`. @param {Ctx} ctx @returns {Kernel} */
export function Transpose(ctx: Ctx): Kernel;
/** Slice with numpy semantics resolved here into starts/steps/out per axis. @param {Ctx} ctx @returns {Kernel} */
export function Slice(ctx: Ctx): Kernel;
/** Concat along `axis`: pointer and size arrays written to the params region. @param {Ctx} ctx @returns {Kernel} */
export function Concat(ctx: Ctx): Kernel;
/** Gather rows along `axis` (an out-of-range index gives a zero row). @param {Ctx} ctx @returns {Kernel} */
export function Gather(ctx: Ctx): Kernel;
/** Cast between the dtypes by code. @param {Ctx} ctx @returns {Kernel} */
export function Cast(ctx: Ctx): Kernel;
/** Dequantize float16/int8/uint8 per tensor (axis null) or per channel. @param {Ctx} ctx @returns {Kernel} */
export function Dequantize(ctx: Ctx): Kernel;
export type Ctx = import("./_context.js").Ctx;
export type Kernel = import("./_context.js").Kernel;
export type View = import("../../interface.js").View;
