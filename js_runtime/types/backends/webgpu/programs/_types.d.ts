/**
 * A tensor as a program sees it: its shape and logical dtype (the GPU holds float32/float16 as f32,
 * int32/int8/uint8 as i32).
 */
export type TensorInfo = {
    shape: readonly number[];
    dtype: string;
};
/**
 * The device limits a program respects (a subset of `GPUSupportedLimits`).
 */
export type Limits = {
    maxComputeWorkgroupsPerDimension: number;
    maxComputeWorkgroupSizeX: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxStorageBufferBindingSize: number;
    maxComputeWorkgroupStorageSize?: number;
};
/**
 * What a program gets: inputs in op-set order (null: an absent optional input), every attribute with
 * defaults filled, the output, the device limits.
 */
export type ProgramArgs = {
    inputs: readonly (TensorInfo | null)[];
    attrs: Readonly<Record<string, any>>;
    output: TensorInfo;
    limits: Limits;
};
export type Binding = {
    input: number;
} | {
    output: number;
} | {
    scratch: number;
};
/**
 * One compute pass: a shader key of SHADERS, its override constants, its uniforms (`Params` in WGSL
 * layout), its storage bindings from
 */
export type Pass = {
    shader: string;
    constants?: Record<string, number>;
    uniforms: ArrayBuffer;
    bindings: Binding[];
    dispatch: [number, number, number];
    scratch?: number[];
};
export type Program = (args: ProgramArgs) => Pass[];
