/**
 * The GPU object to use: `options.gpu`, else `navigator.gpu`; a reason when there is none.
 * @param {{gpu?: unknown}} options
 * @returns {{gpu: GPU, reason?: undefined} | {gpu: null, reason: string}}
 */
export function findGpu(options: {
    gpu?: unknown;
}): {
    gpu: GPU;
    reason?: undefined;
} | {
    gpu: null;
    reason: string;
};
/**
 * Asks `gpu` for an adapter; a reason when it gives none or fails.
 * @param {GPU} gpu
 * @returns {Promise<{adapter: GPUAdapter, reason?: undefined} | {adapter: null, reason: string}>}
 */
export function requestAdapter(gpu: GPU): Promise<{
    adapter: GPUAdapter;
    reason?: undefined;
} | {
    adapter: null;
    reason: string;
}>;
/**
 * One line naming the adapter, and whether it is a software one (a CPU rasterizer such as SwiftShader
 * or a fallback adapter).
 * @param {GPUAdapter} adapter
 * @returns {{name: string, software: boolean}}
 */
export function describeAdapter(adapter: GPUAdapter): {
    name: string;
    software: boolean;
};
/**
 * Opens a device with the adapter's maximum for the limits the backend uses.
 * @param {GPUAdapter} adapter
 * @returns {Promise<GPUDevice>}
 */
export function requestDevice(adapter: GPUAdapter): Promise<GPUDevice>;
/**
 * The limits programs and the runtime use: the device's, each capped by `caps` (the `webgpuLimits`
 * option). An unknown name or a non-positive value is EARG.
 * @param {Record<string, number>} deviceLimits
 * @param {Record<string, number> | undefined} caps
 * @returns {Readonly<Record<string, number>>}
 */
export function effectiveLimits(deviceLimits: Record<string, number>, caps: Record<string, number> | undefined): Readonly<Record<string, number>>;
/** @typedef {import('./types.js').GPU} GPU */
/** @typedef {import('./types.js').GPUAdapter} GPUAdapter */
/** @typedef {import('./types.js').GPUDevice} GPUDevice */
/** The limits the programs and the runtime read (README.md of webgpu_shaders/), raised to the adapter's maximum. */
export const LIMIT_NAMES: readonly string[];
export type GPU = import("./types.js").GPU;
export type GPUAdapter = import("./types.js").GPUAdapter;
export type GPUDevice = import("./types.js").GPUDevice;
