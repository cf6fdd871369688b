import { binary } from './_elementwise.js';

/** Sub on webgpu: numpy broadcasting over collapsed dims (Sub.wgsl.j2). */
export const program = binary('Sub');
