import { binary } from './_elementwise.js';

/** Greater on webgpu: a float32 mask, numpy broadcasting over collapsed dims (Greater.wgsl.j2, f32/i32 inputs). */
export const program = binary('Greater', true);
