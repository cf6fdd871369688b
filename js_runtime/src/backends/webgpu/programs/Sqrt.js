import { unary } from './_elementwise.js';

/** Sqrt on webgpu: one invocation per element (Sqrt.wgsl.j2). */
export const program = unary('Sqrt');
