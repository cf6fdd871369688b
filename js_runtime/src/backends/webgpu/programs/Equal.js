import { binary } from './_elementwise.js';

/** Equal on webgpu: a float32 mask, numpy broadcasting over collapsed dims (Equal.wgsl.j2, f32/i32 inputs). */
export const program = binary('Equal', true);
