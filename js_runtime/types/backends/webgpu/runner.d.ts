/** @typedef {import('./types.js').GPUDevice} GPUDevice */
/** @typedef {import('./types.js').GPUBuffer} GPUBuffer */
/** @typedef {import('./compile.js').GpuPlan} GpuPlan */
/** @typedef {import('./compile.js').Program} Program */
/** @typedef {import('./compile.js').Slot} Slot */
/** @typedef {import('../../executor.js').Plan} Plan */
/** @typedef {import('../interface.js').PlanRunner} PlanRunner */
/**
 * @typedef {{gp: GpuPlan, pipelines: unknown[], uniformBuffer: GPUBuffer, bindGroups: unknown[] | null,
 *   boundTo: number}} Compiled `boundTo`: the pool generation its bind groups were made for
 */
/** @typedef {{buffer: GPUBuffer, bytes: number}} PoolSlot */
/** @implements {PlanRunner} */
export class GpuRunner implements PlanRunner {
    /**
     * @param {GPUDevice} device
     * @param {Readonly<Record<string, number>>} limits the effective limits (gpu.js)
     * @param {Readonly<Record<string, Program>>} programs by op
     * @param {PipelineCache} pipelines the device's pipeline cache (shared by the models on the device)
     */
    constructor(device: GPUDevice, limits: Readonly<Record<string, number>>, programs: Readonly<Record<string, Program>>, pipelines: PipelineCache);
    /** @type {string | null} */
    lost: string | null;
    disposed: boolean;
    device: any;
    limits: Readonly<Record<string, number>>;
    programs: Readonly<Record<string, import("./compile.js").Program>>;
    ops: Set<string>;
    pipelines: PipelineCache;
    staging: StagingPool;
    /**
     * Uploads every weight once into its own storage buffer.
     * @param {Map<string, import('../interface.js').View>} weights
     */
    uploadWeights(weights: Map<string, import("../interface.js").View>): void;
    /** Bytes of the uploaded weights. */
    get weightBytes(): number;
    /** Bytes of the tensor pool (the counterpart of the executor's arena). */
    arenaBytes(): number;
    /** Bytes of device memory held: weights, tensor pool, scratch. */
    deviceBytes(): number;
    /**
     * @param {Plan} plan
     * @returns {Compiled}
     */
    compile(plan: Plan): Compiled;
    /** @param {unknown} compiled */
    release(compiled: unknown): void;
    /**
     * @param {Plan} _plan
     * @param {unknown} compiled
     * @param {readonly Tensor[]} inputs
     * @returns {Tensor[]}
     */
    run(_plan: Plan, compiled: unknown, inputs: readonly Tensor[]): Tensor[];
    /** Frees every buffer. */
    dispose(): void;
    #private;
}
export type GPUDevice = import("./types.js").GPUDevice;
export type GPUBuffer = import("./types.js").GPUBuffer;
export type GpuPlan = import("./compile.js").GpuPlan;
export type Program = import("./compile.js").Program;
export type Slot = import("./compile.js").Slot;
export type Plan = import("../../executor.js").Plan;
export type PlanRunner = import("../interface.js").PlanRunner;
/**
 * `boundTo`: the pool generation its bind groups were made for
 */
export type Compiled = {
    gp: GpuPlan;
    pipelines: unknown[];
    uniformBuffer: GPUBuffer;
    bindGroups: unknown[] | null;
    boundTo: number;
};
export type PoolSlot = {
    buffer: GPUBuffer;
    bytes: number;
};
import { PipelineCache } from './pipelines.js';
import { StagingPool } from './readback.js';
import { Tensor } from '../../tensor.js';
