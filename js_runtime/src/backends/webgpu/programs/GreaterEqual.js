import { binary } from './_elementwise.js';

/** GreaterEqual on webgpu: a float32 mask, numpy broadcasting over collapsed dims (GreaterEqual.wgsl.j2, f32/i32 inputs). */
export const program = binary('GreaterEqual', true);
