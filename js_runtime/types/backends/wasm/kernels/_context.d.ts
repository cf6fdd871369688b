/**
 * Makes the context of one instance.
 * @param {Record<string, WasmFn>} ex
 * @param {WebAssembly.Memory} memory
 * @param {number} params
 * @param {() => void} onGrow called after a call that grew (and so moved) the memory
 * @returns {Ctx}
 */
export function makeContext(ex: Record<string, WasmFn>, memory: WebAssembly.Memory, params: number, onGrow: () => void): Ctx;
/** @typedef {import('../../interface.js').View} View */
/** @typedef {import('../../interface.js').Kernel} Kernel */
/** @typedef {(...args: number[]) => number} WasmFn */
/**
 * @typedef {object} Ctx
 * @property {Record<string, WasmFn>} ex the instance's `wg_*` exports
 * @property {WebAssembly.Memory} memory
 * @property {number} params byte offset of a {@link PARAMS_BYTES}-byte scratch region for params structs
 * @property {() => DataView} dv a DataView over the current `memory.buffer`
 * @property {() => ArrayBuffer} buffer the current `memory.buffer` (without calling its getter)
 * @property {(view: View | null) => number} ptr the view's address in linear memory (0 for null)
 * @property {(op: string, rc: number) => void} check throws unless rc is 0; refreshes views if memory grew
 * @property {() => void} sync refreshes the views (calls onGrow) if memory grew since the last look
 * @property {(key: object, check: object, bytes: number, write: (dv: DataView, p: number) => void) => void} paramsFor
 *   puts a node's params struct (`bytes` long) in the params region: written by `write` the first time,
 *   copied from a cache after, keyed by `key` (the step's output view: one per node and plan) while
 *   `check` (its first input view) is the same object
 */
/** Bytes of the params scratch region (params structs, Concat's pointer and size arrays). */
export const PARAMS_BYTES: 4096;
export type View = import("../../interface.js").View;
export type Kernel = import("../../interface.js").Kernel;
export type WasmFn = (...args: number[]) => number;
export type Ctx = {
    /**
     * the instance's `wg_*` exports
     */
    ex: Record<string, WasmFn>;
    memory: WebAssembly.Memory;
    /**
     * byte offset of a {@link PARAMS_BYTES}-byte scratch region for params structs
     */
    params: number;
    /**
     * a DataView over the current `memory.buffer`
     */
    dv: () => DataView;
    /**
     * the current `memory.buffer` (without calling its getter)
     */
    buffer: () => ArrayBuffer;
    /**
     * the view's address in linear memory (0 for null)
     */
    ptr: (view: View | null) => number;
    /**
     * throws unless rc is 0; refreshes views if memory grew
     */
    check: (op: string, rc: number) => void;
    /**
     * refreshes the views (calls onGrow) if memory grew since the last look
     */
    sync: () => void;
    /**
     *   puts a node's params struct (`bytes` long) in the params region: written by `write` the first time,
     *   copied from a cache after, keyed by `key` (the step's output view: one per node and plan) while
     *   `check` (its first input view) is the same object
     */
    paramsFor: (key: object, check: object, bytes: number, write: (dv: DataView, p: number) => void) => void;
};
