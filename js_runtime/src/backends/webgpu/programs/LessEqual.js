import { binary } from './_elementwise.js';

/** LessEqual on webgpu: a float32 mask, numpy broadcasting over collapsed dims (LessEqual.wgsl.j2, f32/i32 inputs). */
export const program = binary('LessEqual', true);
