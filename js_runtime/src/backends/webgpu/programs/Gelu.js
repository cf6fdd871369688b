import { unary } from './_elementwise.js';

/** Gelu on webgpu: one invocation per element (Gelu.wgsl.j2). */
export const program = unary('Gelu');
