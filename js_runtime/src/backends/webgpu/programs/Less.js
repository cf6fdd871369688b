import { binary } from './_elementwise.js';

/** Less on webgpu: a float32 mask, numpy broadcasting over collapsed dims (Less.wgsl.j2, f32/i32 inputs). */
export const program = binary('Less', true);
