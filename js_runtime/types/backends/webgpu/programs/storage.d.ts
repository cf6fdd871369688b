/**
 * The GPU element type of a logical dtype; undefined for a dtype the GPU does not hold.
 * @param {string} dtype
 * @returns {'f32' | 'i32' | undefined}
 */
export function gpuType(dtype: string): "f32" | "i32" | undefined;
/**
 * The element type each logical dtype has in GPU buffers (webgpu_shaders/README.md, "Storage
 * dtypes"): float32/float16 as f32, int32/int8/uint8 as i32; four bytes per element either way.
 * The runtime converts on upload and readback; programs pick shader variants from it.
 * @module
 */
/** @type {Readonly<Record<string, 'f32' | 'i32'>>} */
export const GPU_TYPE: Readonly<Record<string, "f32" | "i32">>;
