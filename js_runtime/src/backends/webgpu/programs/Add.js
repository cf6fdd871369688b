import { binary } from './_elementwise.js';

/** Add on webgpu: numpy broadcasting over collapsed dims (Add.wgsl.j2). */
export const program = binary('Add');
