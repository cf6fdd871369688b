/** @typedef {import('./types.js').GPUDevice} GPUDevice */
/** @typedef {import('./types.js').GPUComputePipeline} GPUComputePipeline */
/**
 * The cache key of a shader key with its override constants (sorted, so the order written does not matter).
 * @param {string} shader
 * @param {Readonly<Record<string, number>> | undefined} constants
 */
export function pipelineKey(shader: string, constants: Readonly<Record<string, number>> | undefined): string;
export class PipelineCache {
    /**
     * @param {GPUDevice} device
     * @param {Readonly<Record<string, string>>} shaders WGSL code by shader key
     */
    constructor(device: GPUDevice, shaders: Readonly<Record<string, string>>);
    device: any;
    shaders: Readonly<Record<string, string>>;
    /** Number of distinct pipelines made so far. */
    get size(): number;
    /**
     * The pipeline for `shader` with `constants`, made once.
     * @param {string} shader a key of SHADERS
     * @param {Readonly<Record<string, number>>} [constants] override constants (WG_X, ...)
     * @returns {GPUComputePipeline}
     */
    get(shader: string, constants?: Readonly<Record<string, number>>): GPUComputePipeline;
    #private;
}
export type GPUDevice = import("./types.js").GPUDevice;
export type GPUComputePipeline = import("./types.js").GPUComputePipeline;
