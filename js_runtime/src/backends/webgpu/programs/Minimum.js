import { binary } from './_elementwise.js';

/** Minimum on webgpu: numpy broadcasting over collapsed dims (Minimum.wgsl.j2). */
export const program = binary('Minimum');
