/**
 * Why the wasm backend can (not) run here, and which build it would use.
 * @returns {{available: boolean, reason: string, variant: WasmVariant | null}}
 */
export function wasmSupport(): {
    available: boolean;
    reason: string;
    variant: WasmVariant | null;
};
/**
 * A fresh instance of the kernels with its own linear memory.
 * @param {BackendOptions} options `wasmVariant`: 'relaxed' | 'simd' | 'auto' (default)
 * @returns {Promise<Backend>}
 */
export function createWasmBackend(options?: BackendOptions): Promise<Backend>;
/** @type {BackendFactory} */
export const wasmBackend: BackendFactory;
export type Backend = import("../interface.js").Backend;
export type BackendFactory = import("../interface.js").BackendFactory;
export type BackendOptions = import("../interface.js").BackendOptions;
export type View = import("../interface.js").View;
export type GraphNode = import("../interface.js").GraphNode;
export type ArenaMemory = import("../interface.js").ArenaMemory;
export type WasmVariant = import("./module.js").WasmVariant;
export type WasmFn = import("./kernels/_context.js").WasmFn;
