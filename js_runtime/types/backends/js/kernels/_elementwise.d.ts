/** @typedef {import('../../interface.js').Kernel} Kernel */
/** @typedef {import('../../interface.js').View} View */
/**
 * A kernel applying `fn(x, attrs)` to every element.
 * @param {(v: number, attrs: Readonly<Record<string, any>>) => number} fn
 * @returns {Kernel}
 */
export function unary(fn: (v: number, attrs: Readonly<Record<string, any>>) => number): Kernel;
/**
 * A kernel computing `fn(a, b)` with numpy broadcasting of the two inputs to the output shape.
 * @param {(a: number, b: number) => number} fn
 * @returns {Kernel}
 */
export function binary(fn: (a: number, b: number) => number): Kernel;
export type Kernel = import("../../interface.js").Kernel;
export type View = import("../../interface.js").View;
