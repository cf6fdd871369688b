/**
 * The programs and shaders of this package, imported on first use (so a page that never uses WebGPU
 * never loads them); a reason when they are missing.
 * @returns {Promise<GpuKernels | string>}
 */
export function loadKernels(): Promise<GpuKernels | string>;
/**
 * Whether webgpu can run here: a GPU object, an adapter, the kernels; `avoidForAuto` on a software adapter.
 * @param {BackendOptions} [options]
 * @returns {Promise<Availability>}
 */
export function webgpuAvailability(options?: BackendOptions): Promise<Availability>;
/**
 * A fresh instance on the GPU object's shared device, running `kernels` (the package's, or a test's own).
 * @param {BackendOptions} options `gpu`, `webgpuLimits`, `onDeviceLost`
 * @param {GpuKernels} kernels
 * @returns {Promise<Backend>}
 */
export function createWebgpuBackend(options: BackendOptions, kernels: GpuKernels): Promise<Backend>;
/** @type {BackendFactory} */
export const webgpuBackend: BackendFactory;
export type Backend = import("../interface.js").Backend;
export type BackendFactory = import("../interface.js").BackendFactory;
export type BackendOptions = import("../interface.js").BackendOptions;
export type Availability = import("../interface.js").Availability;
export type Program = import("./compile.js").Program;
export type GpuKernels = {
    programs: Readonly<Record<string, Program>>;
    shaders: Readonly<Record<string, string>>;
};
export type SharedDevice = {
    device: import("./types.js").GPUDevice;
    name: string;
    software: boolean;
    caches: WeakMap<object, PipelineCache>;
};
import { PipelineCache } from './pipelines.js';
