/**
 * Types of the kernel-program contract (webgpu_shaders/README.md). Types only.
 * @module
 */

/**
 * A tensor as a program sees it: its shape and logical dtype (the GPU holds float32/float16 as f32,
 * int32/int8/uint8 as i32).
 * @typedef {{shape: readonly number[], dtype: string}} TensorInfo
 */

/**
 * The device limits a program respects (a subset of `GPUSupportedLimits`).
 * @typedef {{maxComputeWorkgroupsPerDimension: number, maxComputeWorkgroupSizeX: number,
 *   maxComputeInvocationsPerWorkgroup: number, maxStorageBufferBindingSize: number,
 *   maxComputeWorkgroupStorageSize?: number}} Limits
 */

/**
 * What a program gets: inputs in op-set order (null: an absent optional input), every attribute with
 * defaults filled, the output, the device limits.
 * @typedef {{inputs: readonly (TensorInfo | null)[], attrs: Readonly<Record<string, any>>,
 *   output: TensorInfo, limits: Limits}} ProgramArgs
 */

/** @typedef {{input: number} | {output: number} | {scratch: number}} Binding */

/**
 * One compute pass as a program returns it: a shader key of SHADERS, its override constants, its
 * uniforms named in the order of the shader's `struct Params` (uniforms.js), its storage bindings from
 * @binding(1) on, its dispatch, and the byte sizes of the scratch buffers shared by the op's passes.
 * @typedef {{shader: string, constants?: Record<string, number>, uniforms: import('./uniforms.js').Uniform[],
 *   bindings: Binding[], dispatch: [number, number, number], scratch?: number[]}} Pass
 */

/**
 * A pass as the runtime gets it (`PROGRAMS` in index.js): the uniforms packed into `Params` bytes.
 * @typedef {{shader: string, constants?: Record<string, number>, uniforms: ArrayBuffer,
 *   bindings: Binding[], dispatch: [number, number, number], scratch?: number[]}} PackedPass
 */

/** @typedef {(args: ProgramArgs) => Pass[]} Program */
/** @typedef {(args: ProgramArgs) => PackedPass[]} PackedProgram */

export {};
