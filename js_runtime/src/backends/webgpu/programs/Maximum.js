import { binary } from './_elementwise.js';

/** Maximum on webgpu: numpy broadcasting over collapsed dims (Maximum.wgsl.j2). */
export const program = binary('Maximum');
