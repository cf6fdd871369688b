/** @typedef {import('./loader/source.js').BundleSource} BundleSource */
/** @typedef {import('./backends/interface.js').Backend} Backend */
/** @typedef {import('./backends/interface.js').View} View */
/** @typedef {import('./executor.js').Graph} Graph */
/** @typedef {{loaded: number, total: number, file: string}} Progress */
/**
 * @typedef {object} LoadOptions
 * @property {string} [backend] 'auto' (default: webgpu, else wasm, else js, by availability) or a backend name
 * @property {(progress: Progress) => void} [onProgress] called as bytes arrive: `{loaded, total, file}`
 * @property {AbortSignal} [signal] aborts the load (rejects with an AbortError, code EABORTED)
 * @property {boolean} [selftest] run the bundle's self-test on the chosen backend (default true)
 * @property {'auto' | 'simd' | 'relaxed'} [wasmVariant] wasm backend: which build to run (default 'auto':
 *   the relaxed-SIMD one when the engine supports relaxed SIMD, else SIMD128)
 * @property {unknown} [gpu] webgpu backend: the GPU object to use instead of `navigator.gpu` (Node.js:
 *   `import { create } from 'webgpu'; create([])`)
 * @property {Record<string, number>} [webgpuLimits] webgpu backend, for tests: caps on the device limits the
 *   runtime and the kernels use (e.g. `{maxStorageBufferBindingSize: 65536, maxComputeWorkgroupsPerDimension: 16}`)
 * @property {(info: {backend: string, reason: string}) => void} [onDeviceLost] called once when the GPU
 *   device of the model is lost; `model.backendReason` says so too, and the next call runs on wasm (or js)
 */
/**
 * Loads a bundle and returns a {@link Model} ready to run.
 *
 * `source`: a URL (string or URL; fetched), a directory path or `file:` URL (Node.js), the path of
 * the bundle's model.json, or an in-memory map `{'model.json': string | Uint8Array | object,
 * 'weights-000.bin': Uint8Array, ...}` (a plain object or a Map).
 * Every failure rejects with a {@link WebgradError} whose `code` says what went wrong; a failed or
 * aborted load leaves nothing allocated.
 * @param {BundleSource} source
 * @param {LoadOptions} [options]
 * @returns {Promise<Model>}
 * @example
 * const model = await loadModel('bundles/mnist', { backend: 'auto' });
 * const probs = await model.predict({ data: new Float32Array(784), shape: [1, 28, 28, 1] });
 */
export function loadModel(source: BundleSource, options?: LoadOptions): Promise<Model>;
export type BundleSource = import("./loader/source.js").BundleSource;
export type Backend = import("./backends/interface.js").Backend;
export type View = import("./backends/interface.js").View;
export type Graph = import("./executor.js").Graph;
export type Progress = {
    loaded: number;
    total: number;
    file: string;
};
export type LoadOptions = {
    /**
     * 'auto' (default: webgpu, else wasm, else js, by availability) or a backend name
     */
    backend?: string | undefined;
    /**
     * called as bytes arrive: `{loaded, total, file}`
     */
    onProgress?: ((progress: Progress) => void) | undefined;
    /**
     * aborts the load (rejects with an AbortError, code EABORTED)
     */
    signal?: AbortSignal | undefined;
    /**
     * run the bundle's self-test on the chosen backend (default true)
     */
    selftest?: boolean | undefined;
    /**
     * wasm backend: which build to run (default 'auto':
     * the relaxed-SIMD one when the engine supports relaxed SIMD, else SIMD128)
     */
    wasmVariant?: "auto" | "simd" | "relaxed" | undefined;
    /**
     * webgpu backend: the GPU object to use instead of `navigator.gpu` (Node.js:
     * `import { create } from 'webgpu'; create([])`)
     */
    gpu?: unknown;
    /**
     * webgpu backend, for tests: caps on the device limits the
     * runtime and the kernels use (e.g. `{maxStorageBufferBindingSize: 65536, maxComputeWorkgroupsPerDimension: 16}`)
     */
    webgpuLimits?: Record<string, number> | undefined;
    /**
     * called once when the GPU
     * device of the model is lost; `model.backendReason` says so too, and the next call runs on wasm (or js)
     */
    onDeviceLost?: ((info: {
        backend: string;
        reason: string;
    }) => void) | undefined;
};
import { Model } from './model.js';
