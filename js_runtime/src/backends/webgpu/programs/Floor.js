import { unary } from './_elementwise.js';

/** Floor on webgpu: one invocation per element (Floor.wgsl.j2). */
export const program = unary('Floor');
