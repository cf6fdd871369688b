import { unary } from './_elementwise.js';

/** Sigmoid on webgpu: one invocation per element (Sigmoid.wgsl.j2). */
export const program = unary('Sigmoid');
