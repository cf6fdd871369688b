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
export const USAGE = Object.freeze({ MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 });
/** GPUMapMode.READ */
export const MAP_READ = 0x1;

export {};
