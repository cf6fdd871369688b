/**
 * Reads `length` elements of `dtype` from staging `buffer` (already holding the copy) and gives the
 * buffer back to `pool`.
 * @param {StagingPool} pool
 * @param {GPUBuffer} buffer
 * @param {DType} dtype
 * @param {number} length
 * @returns {Promise<TypedArray>}
 */
export function readStaging(pool: StagingPool, buffer: GPUBuffer, dtype: DType, length: number): Promise<TypedArray>;
export class StagingPool {
    /** @param {GPUDevice} device */
    constructor(device: GPUDevice);
    device: any;
    /** Staging buffers in use plus idle ones (for tests). */
    get count(): number;
    /**
     * A staging buffer of `bytes` bytes (a multiple of 4).
     * @param {number} bytes
     * @returns {GPUBuffer}
     */
    take(bytes: number): GPUBuffer;
    /**
     * Gives `buffer` (unmapped) back.
     * @param {GPUBuffer} buffer
     */
    give(buffer: GPUBuffer): void;
    /** Destroys the idle buffers (those in use are destroyed when given back after this). */
    destroy(): void;
    #private;
}
export type GPUDevice = import("./types.js").GPUDevice;
export type GPUBuffer = import("./types.js").GPUBuffer;
export type DType = import("../../dtypes.js").DType;
export type TypedArray = import("../../dtypes.js").TypedArray;
