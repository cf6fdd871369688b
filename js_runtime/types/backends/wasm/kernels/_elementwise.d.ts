/**
 * @param {Ctx} ctx
 * @param {string} op
 * @returns {Kernel}
 */
export function unaryKernel(ctx: Ctx, op: string): Kernel;
/**
 * @param {Ctx} ctx
 * @param {string} op
 * @returns {Kernel}
 */
export function binaryKernel(ctx: Ctx, op: string): Kernel;
/** @typedef {import('./_context.js').Ctx} Ctx */
/** @typedef {import('./_context.js').Kernel} Kernel */
/** @typedef {import('../../interface.js').View} View */
/** Unary ops and the extra argument each takes from its attributes. */
export const UNARY: Readonly<{
    Relu: null;
    Relu6: null;
    Sigmoid: null;
    Tanh: null;
    Exp: null;
    Log: null;
    Sqrt: null;
    LeakyRelu: (a: any) => any;
    Gelu: (a: any) => 0 | 1;
}>;
/** Binary ops (numpy broadcasting). */
export const BINARY: readonly string[];
export type Ctx = import("./_context.js").Ctx;
export type Kernel = import("./_context.js").Kernel;
export type View = import("../../interface.js").View;
