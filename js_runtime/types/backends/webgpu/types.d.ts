/**
 * The WebGPU objects this backend touches, as loose JSDoc types: TypeScript's DOM library does not
 * declare WebGPU, and the package has no runtime dependencies (so no `@webgpu/types`). Each is the
 * standard interface of the same name; only what the backend relies on is spelled out.
 * @module
 */
/** @typedef {{requestAdapter: (options?: object) => Promise<GPUAdapter | null>}} GPU */
/**
 * @typedef {{limits: Record<string, number>, features: ReadonlySet<string>, info?: GPUAdapterInfo,
 *   isFallbackAdapter?: boolean, requestDevice: (descriptor?: object) => Promise<GPUDevice>}} GPUAdapter
 */
/** @typedef {{vendor?: string, architecture?: string, device?: string, description?: string, isFallbackAdapter?: boolean}} GPUAdapterInfo */
/** @typedef {any} GPUDevice the device: createBuffer, createShaderModule, createComputePipeline, queue, lost, destroy... */
/** @typedef {any} GPUBuffer */
/** @typedef {any} GPUComputePipeline */
/** @typedef {any} GPUBindGroup */
/** @typedef {{reason: string, message: string}} GPUDeviceLostInfo */
/** GPUBufferUsage flags (the global is absent where WebGPU is, e.g. before Node's `webgpu` globals). */
export const USAGE: Readonly<{
    MAP_READ: 1;
    COPY_SRC: 4;
    COPY_DST: 8;
    UNIFORM: 64;
    STORAGE: 128;
}>;
/** GPUMapMode.READ */
export const MAP_READ: 1;
export type GPU = {
    requestAdapter: (options?: object) => Promise<GPUAdapter | null>;
};
export type GPUAdapter = {
    limits: Record<string, number>;
    features: ReadonlySet<string>;
    info?: GPUAdapterInfo;
    isFallbackAdapter?: boolean;
    requestDevice: (descriptor?: object) => Promise<GPUDevice>;
};
export type GPUAdapterInfo = {
    vendor?: string;
    architecture?: string;
    device?: string;
    description?: string;
    isFallbackAdapter?: boolean;
};
/**
 * the device: createBuffer, createShaderModule, createComputePipeline, queue, lost, destroy...
 */
export type GPUDevice = any;
export type GPUBuffer = any;
export type GPUComputePipeline = any;
export type GPUBindGroup = any;
export type GPUDeviceLostInfo = {
    reason: string;
    message: string;
};
