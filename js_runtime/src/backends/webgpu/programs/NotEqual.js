import { binary } from './_elementwise.js';

/** NotEqual on webgpu: a float32 mask, numpy broadcasting over collapsed dims (NotEqual.wgsl.j2, f32/i32 inputs). */
export const program = binary('NotEqual', true);
