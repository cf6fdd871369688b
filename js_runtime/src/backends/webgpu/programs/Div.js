import { binary } from './_elementwise.js';

/** Div on webgpu: numpy broadcasting over collapsed dims (Div.wgsl.j2). */
export const program = binary('Div');
