import { binary } from './_elementwise.js';

/** Mul on webgpu: numpy broadcasting over collapsed dims (Mul.wgsl.j2). */
export const program = binary('Mul');
