/**
 * What this engine supports.
 * @returns {{wasm: boolean, simd: boolean, relaxed: boolean}}
 */
export function detectFeatures(): {
    wasm: boolean;
    simd: boolean;
    relaxed: boolean;
};
/**
 * The compiled module of `variant` (cached: compiled once per process or page).
 * @param {WasmVariant} variant
 * @returns {Promise<WebAssembly.Module>}
 */
export function compileVariant(variant: WasmVariant): Promise<WebAssembly.Module>;
/** @typedef {'simd' | 'relaxed'} WasmVariant */
/** The ABI version these glue files speak (`wg_abi_version()`). */
export const ABI_VERSION: 1;
/** The file of each variant, relative to this module. */
export const WASM_FILES: Readonly<{
    simd: "webgrad-simd.wasm";
    relaxed: "webgrad-relaxed.wasm";
}>;
export type WasmVariant = "simd" | "relaxed";
